import type { Logger } from '../../logger.js';
import { parseFastJson } from '../../protocol/fastjson.js';
import { readConfigFile, writeConfigFileAtomic } from './config-file.js';

/** One of config/*.json: what it held at start (fastjson's quirks tolerated) and how to replace it. */
export interface ConfigTableFile {
  readonly initial: unknown;
  write(text: string): Promise<void>;
}

const parses = (text: string): boolean => {
  try {
    parseFastJson(text);
    return true;
  } catch {
    return false;
  }
};

/** Reads the file (or its .bak when the main copy is missing or unparsable); writes go through temp + rename. */
export async function loadConfigTable(path: string, logger: Logger): Promise<ConfigTableFile> {
  const text = await readConfigFile(path, parses);
  const initial = text === undefined || text.trim().length === 0 ? undefined : parseFastJson(text);
  logger.debug({ path, found: initial !== undefined }, 'config table loaded');
  return { initial, write: (t) => writeConfigFileAtomic(path, t) };
}
