import { open, readFile, rename, copyFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `path` so that a crash at any moment leaves either the old or the new content: write a temp
 * file, fsync it, keep the current file as .bak, rename over, fsync the directory (RocketMQ's
 * MixAll.string2File does the same dance without the fsyncs).
 */
export async function writeConfigFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await copyFile(path, `${path}.bak`).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

const readIfPresent = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** The file's text, or its .bak's when the main copy is missing, empty or fails `valid`. */
export async function readConfigFile(
  path: string,
  valid: (text: string) => boolean = () => true,
): Promise<string | undefined> {
  const main = await readIfPresent(path);
  if (main !== undefined && main.trim().length > 0 && valid(main)) return main;
  const backup = await readIfPresent(`${path}.bak`);
  if (backup !== undefined && backup.trim().length > 0 && valid(backup)) return backup;
  return main;
}
