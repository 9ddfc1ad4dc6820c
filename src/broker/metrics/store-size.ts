import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Disk space taken by the files under `dir` (allocated blocks, not apparent sizes: segments are created at
 * full length and filled later). Files removed while walking (segments being cleaned) count as 0.
 */
export async function directorySize(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else if (entry.isFile())
      total += await stat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}
