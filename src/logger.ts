import { pino } from 'pino';

/**
 * The logger every component takes by injection: pino's calling convention (fields first, then message), so
 * production uses pino and tests pass `silentLogger` or a recorder.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured JSON lines on stderr, so stdout stays free for the lines a program prints for people. */
export function createLogger(level: LogLevel = 'info', name = 'rxrocket'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}

const noop = (): void => undefined;

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
