import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { measureDisk } from '../../../bench/report/disk.js';
import { useTempDir } from '../../helpers/temp-dir.js';

describe('disk measurement', () => {
  let dir = '';
  useTempDir('rxrocket-disk-', (path) => (dir = path));

  it('writes whole chunks then syncs, times each small synced write, and leaves no file behind', async () => {
    const disk = await measureDisk(dir, {
      sequentialBytes: 3 * (1 << 20) + 1,
      chunkBytes: 1 << 20,
      syncedWriteBytes: 4096,
      syncedWrites: 5,
    });
    expect(disk.sequential.bytes).toBe(4 * (1 << 20));
    expect(disk.sequential.seconds).toBeGreaterThan(0);
    expect(disk.syncedWrites.count).toBe(5);
    expect(disk.syncedWrites.latencyMs.p50).toBeGreaterThan(0);
    expect(disk.syncedWrites.latencyMs.p50).toBeLessThanOrEqual(disk.syncedWrites.latencyMs.p999);
    expect(await readdir(dir)).toEqual([]);
  });
});
