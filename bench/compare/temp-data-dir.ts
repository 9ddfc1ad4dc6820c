import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory for one server's data, and its removal: every system writes to the same disk. A bench
 * that ends early (an error, Ctrl-C) still removes it, at the process's exit, after its server was killed.
 */
export async function tempDataDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `rxrocket-compare-${prefix}-`));
  const removeAtExit = (): void => {
    // The server was SIGKILLed by an exit handler a moment ago and may still be writing: retry, then leave
    // what is left to the OS's temp cleanup rather than throw while exiting.
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      process.stderr.write(`could not remove ${path}\n`);
    }
  };
  process.once('exit', removeAtExit);
  return {
    path,
    remove: async () => {
      process.off('exit', removeAtExit);
      await rm(path, { recursive: true, force: true });
    },
  };
}
