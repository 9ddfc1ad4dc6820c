import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MappedFile, offsetToFileName } from '../../../../src/broker/store/mapped-file.js';
import { MappedFileQueue } from '../../../../src/broker/store/mapped-file-queue.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-mapped-', (path) => {
  dir = path;
});

describe('MappedFile', () => {
  it('names segments by their 20-digit start offset and sizes them up front', async () => {
    expect(offsetToFileName(1073741824)).toBe('00000000001073741824');
    const file = await MappedFile.open(join(dir, offsetToFileName(0)), 0, 4096);
    expect((await stat(file.path)).size).toBe(4096);
    await file.close();
  });

  it('shows read() only committed bytes and readWritten() every appended one, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (writes, commitAfter) => {
          const file = await MappedFile.open(join(dir, 'seg'), 0, 16 * 1024, { chunkSize: 256 });
          const expected: number[] = [];
          try {
            for (const [i, bytes] of writes.entries()) {
              file.append(bytes);
              expected.push(...bytes);
              if (commitAfter[i]) await file.commit();
              expect((await file.read(0, 1 << 20)).length).toBe(file.committedPosition);
              const from = Math.floor(expected.length / 3);
              expect([...(await file.readWritten(from, 1 << 20))]).toEqual(expected.slice(from));
            }
            await file.commit();
            await file.flush();
            expect(file.flushedPosition).toBe(expected.length);
            expect([...(await file.read(0, 1 << 20))]).toEqual(expected);
          } finally {
            await file.destroy();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('takes commits called back to back in order and moves the committed position over each finished write', async () => {
    const file = await MappedFile.open(join(dir, 'seg'), 0, 64 * 1024, { chunkSize: 1024, dsync: true });
    const parts = Array.from({ length: 12 }, (_, i) => Buffer.alloc(700 + i * 50, i + 1));
    const commits: Promise<number>[] = [];
    let end = 0;
    const ends: number[] = [];
    for (const part of parts) {
      file.append(part);
      end += part.length;
      ends.push(end);
      commits.push(file.commit());
      expect(file.committedPosition).toBeLessThanOrEqual(end);
    }
    const positions = await Promise.all(commits);
    positions.forEach((position, i) => expect(position).toBeGreaterThanOrEqual(ends[i]!));
    expect([file.committedPosition, file.flushedPosition, file.writesInFlight]).toEqual([end, end, 0]);
    expect((await file.read(0, end)).equals(Buffer.concat(parts))).toBe(true);
    await file.close();
  });

  it('zeroes everything past a reset, so stale bytes never look like data', async () => {
    const file = await MappedFile.open(join(dir, 'seg'), 0, 4096);
    file.append(Buffer.alloc(1000, 0xab));
    await file.commit();
    await file.resetTo(100);
    expect(file.wrotePosition).toBe(100);
    const raw = await file.readRaw(0, 4096);
    expect(raw.subarray(0, 100).every((b) => b === 0xab)).toBe(true);
    expect(raw.subarray(100).every((b) => b === 0)).toBe(true);
    await file.close();
  });
});

describe('MappedFileQueue', () => {
  it('rolls to segments named by offset, reloads them, and truncates to an offset', async () => {
    const queue = await MappedFileQueue.load(dir, 1024, { prepareNext: true });
    for (let i = 0; i < 5; i++) {
      const file = await queue.writable();
      file.append(Buffer.alloc(1024, i + 1));
    }
    await queue.commit();
    expect(queue.committedOffset).toBe(5 * 1024);
    await queue.close();
    const names = (await readdir(dir)).sort();
    expect(names.slice(0, 5)).toEqual([0, 1024, 2048, 3072, 4096].map(offsetToFileName));

    const reloaded = await MappedFileQueue.load(dir, 1024);
    expect(reloaded.files.map((f) => f.fileFromOffset)).toEqual(
      [0, 1024, 2048, 3072, 4096, 5120].slice(0, names.length),
    );
    await reloaded.truncateTo(2500);
    expect(reloaded.files).toHaveLength(3);
    expect(reloaded.wroteOffset).toBe(2500);
    expect(reloaded.findByOffset(2100)?.fileFromOffset).toBe(2048);
    expect(reloaded.findByOffset(3100)).toBeUndefined();
    await reloaded.close();
    expect((await readdir(dir)).sort()).toEqual([0, 1024, 2048].map(offsetToFileName));
  });

  it('refuses a log with a gap between segments', async () => {
    for (const from of [0, 2048])
      await (await MappedFile.open(join(dir, offsetToFileName(from)), from, 1024)).close();
    await expect(MappedFileQueue.load(dir, 1024)).rejects.toThrow(/gap/);
  });
});
