import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDataDir } from './temp-data-dir.js';

/**
 * Whether the installed nats-server accepts `sync_interval: always` (2.10 and later): asked of the server
 * itself by testing a config file that sets it (`nats-server -t`), rather than by parsing its version.
 */
export async function natsSupportsSyncAlways(): Promise<boolean> {
  const dir = await tempDataDir('nats-check');
  try {
    const config = join(dir.path, 'check.conf');
    await writeFile(
      config,
      `jetstream {\n  store_dir: ${JSON.stringify(join(dir.path, 'store'))}\n  sync_interval: always\n}\n`,
    );
    return await new Promise<boolean>((resolve) => {
      const child = spawn('nats-server', ['-t', '-c', config], { stdio: 'ignore' });
      child.once('error', () => {
        resolve(false);
      });
      child.once('exit', (code) => {
        resolve(code === 0);
      });
    });
  } finally {
    await dir.remove();
  }
}
