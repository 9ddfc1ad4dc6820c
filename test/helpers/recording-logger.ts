import type { Logger } from '../../src/logger.js';

export interface LogLine {
  readonly level: string;
  readonly fields: object;
  readonly message: string;
}

/** A Logger that keeps every line, for asserting "one log line naming the reason". */
export function recordingLogger(lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
    lines,
  };
  return logger;
}
