import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MappedFile } from '../../../../src/broker/store/mapped-file.js';
import { SegmentWarmer } from '../../../../src/broker/store/segment-warmer.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-warmer-', (path) => {
  dir = path;
});

const MiB = 1024 * 1024;

describe('SegmentWarmer', () => {
  it('zeroes one page-aligned piece at a time, and holds back only data that reaches the piece', async () => {
    const writes: { position: number; length: number; finish: () => void }[] = [];
    const warmer = new SegmentWarmer(
      (bytes, position) =>
        new Promise<void>((resolve) => writes.push({ position, length: bytes.length, finish: resolve })),
      32 * MiB,
      8 * MiB,
    );
    warmer.keepAhead(100);
    warmer.keepAhead(200);
    expect(writes.map((w) => [w.position, w.length])).toEqual([[4096, 4 * MiB]]);
    expect(warmer.before(4096)).toBeUndefined();
    const held = warmer.before(4097);
    expect(held).toBeInstanceOf(Promise);
    writes[0]!.finish();
    await held;
    expect(warmer.before(32 * MiB)).toBeUndefined();
    warmer.keepAhead(5000);
    expect(writes.map((w) => w.position)).toEqual([4096, 4096 + 4 * MiB]);
    writes[1]!.finish();
    await warmer.settle();
    warmer.keepAhead(4096);
    expect(writes).toHaveLength(2);
    warmer.keepAhead(4097);
    expect(writes).toHaveLength(3);
  });

  it('leaves the bytes past a SYNC_FLUSH segment appends allocated, and every appended byte intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (sizes, awaitCommit) => {
          const path = join(dir, `seg-${Math.random()}`);
          const size = 12 * MiB;
          const file = await MappedFile.open(path, 0, size, { dsync: true, zeroAhead: 2 * MiB });
          const expected = Buffer.alloc(size);
          let at = 0;
          const commits: Promise<number>[] = [];
          for (const [i, n] of sizes.entries()) {
            const length = Math.min(n, size - at);
            if (length === 0) break;
            const bytes = Buffer.alloc(length, (i % 255) + 1);
            file.append(bytes);
            bytes.copy(expected, at);
            at += length;
            const commit = file.commit();
            if (awaitCommit[i] === true) await commit;
            else commits.push(commit);
          }
          await Promise.all(commits);
          await file.commit();
          await file.close();
          expect((await readFile(path)).equals(expected)).toBe(true);
          const allocated = (await stat(path)).blocks * 512;
          expect(allocated).toBeGreaterThanOrEqual(Math.min(size, at + MiB));
        },
      ),
      { numRuns: 15 },
    );
  });
});
