import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreLockedError } from './store-errors.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * store/lock keeps a second broker off the directory. Node has no flock, so the file holds the owner's pid
 * and a lock whose owner is gone is taken over (a SIGKILLed broker leaves one behind); pid reuse by an
 * unrelated process is the one case this cannot tell apart, and it errs on the side of refusing.
 */
export async function acquireStoreLock(storeDir: string): Promise<() => Promise<void>> {
  const path = join(storeDir, 'lock');
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new StoreLockedError(path, owner);
  }
  await writeFile(path, `${process.pid}\n`);
  return async () => {
    const now = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (now === process.pid) await writeFile(path, '');
  };
}

/**
 * store/abort exists while a broker runs; finding it at start means the last run did not shut down
 * cleanly, and recovery re-verifies the CommitLog tail.
 */
export const abortFile = {
  async existed(storeDir: string): Promise<boolean> {
    const handle = await open(join(storeDir, 'abort'), 'r').catch(() => undefined);
    await handle?.close();
    return handle !== undefined;
  },
  async create(storeDir: string): Promise<void> {
    const handle = await open(join(storeDir, 'abort'), 'w');
    await handle.sync();
    await handle.close();
  },
  async remove(storeDir: string): Promise<void> {
    await unlink(join(storeDir, 'abort')).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  },
};
