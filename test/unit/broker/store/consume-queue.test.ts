import { mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsumeQueue } from '../../../../src/broker/store/consume-queue.js';
import type { ConsumeQueueEntry } from '../../../../src/broker/store/consume-queue-entry.js';
import { ConsumeQueueTable } from '../../../../src/broker/store/consume-queue-table.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

const UNIT = 20;
const FILE = 16 * UNIT;

let root: string;

useTempDir('rxrocket-cq-', (path) => {
  root = path;
});

/** Entry q of a queue whose messages are 100 bytes each, stored back to back; tags alternate in sign. */
const entry = (queueOffset: number): ConsumeQueueEntry => ({
  queueOffset,
  physicalOffset: queueOffset * 100,
  size: 100,
  tagsCode: queueOffset % 2 === 0 ? queueOffset : -queueOffset * 7919,
});

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

const load = (dir = root, fileSize = FILE) => ConsumeQueue.load(dir, 'TopicA', 3, fileSize);

const queueDir = (dir = root) => join(dir, 'TopicA', '3');

const segments = async (dir = root) => (await readdir(queueDir(dir))).sort();

/** put() answers synchronously unless it had to wait for a segment. */
const settled = (results: readonly (boolean | Promise<boolean>)[]): Promise<boolean[]> =>
  Promise.all(results.map((r) => Promise.resolve(r)));

/** Puts every entry without awaiting in between, then awaits the results. */
const putAll = (queue: ConsumeQueue, entries: readonly ConsumeQueueEntry[]): Promise<boolean[]> =>
  settled(entries.map((e) => queue.put(e)));

async function readAll(queue: ConsumeQueue): Promise<ConsumeQueueEntry[]> {
  const out: ConsumeQueueEntry[] = [];
  for (let from = queue.minOffset; from < queue.maxOffset;) {
    const batch = await queue.read(from, 1000);
    if (batch.length === 0) throw new Error(`no entries at ${from}`);
    out.push(...batch);
    from += batch.length;
  }
  return out;
}

async function reopen(queue: ConsumeQueue, dir = root): Promise<ConsumeQueue> {
  await queue.close();
  const again = await load(dir);
  await again.recover();
  return again;
}

async function overwrite(path: string, position: number, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, position);
  } finally {
    await handle.close();
  }
}

describe('ConsumeQueue', () => {
  it('reads entries as soon as they are put, before and after the lazy commit, across segment rolls', async () => {
    const queue = await load();
    expect([queue.minOffset, queue.maxOffset, queue.nextOffset, queue.maxPhysicalEnd]).toEqual([0, 0, 0, -1]);
    const entries = range(0, 50).map(entry);
    expect(await putAll(queue, entries)).toEqual(entries.map(() => true));

    expect([queue.maxOffset, queue.nextOffset, queue.maxPhysicalEnd]).toEqual([50, 50, 5000]);
    expect(await queue.read(0, 10)).toEqual(entries.slice(0, 10));
    expect(await queue.read(40, 20)).toEqual(entries.slice(40, 48));
    expect(await segments()).toHaveLength(4);

    await queue.commit();
    expect([queue.minOffset, queue.maxOffset]).toEqual([0, 50]);
    expect(await queue.read(0, 100)).toEqual(entries.slice(0, 16));
    expect(await queue.read(10, 100)).toEqual(entries.slice(10, 16));
    expect(await queue.read(16, 3)).toEqual(entries.slice(16, 19));
    expect(await queue.read(-5, 2)).toEqual(entries.slice(0, 2));
    expect(await queue.read(48, 10)).toEqual(entries.slice(48, 50));
    expect(await queue.read(50, 10)).toEqual([]);
    expect(await queue.read(0, 0)).toEqual([]);
    expect(await readAll(queue)).toEqual(entries);
    expect(await segments()).toEqual([
      '00000000000000000000',
      '00000000000000000320',
      '00000000000000000640',
      '00000000000000000960',
    ]);
    await queue.close();
  });

  it('writes RocketMQ entries: big-endian long offset, int size, long tags code, in fixed-size files', async () => {
    const queue = await load();
    await putAll(queue, [
      { queueOffset: 0, physicalOffset: 2 ** 40 + 5, size: 1234, tagsCode: -2 },
      { queueOffset: 1, physicalOffset: 2 ** 40 + 1239, size: 1, tagsCode: 2 ** 41 + 3 },
    ]);
    await queue.close();
    const bytes = await readFile(join(queueDir(), '00000000000000000000'));
    expect(bytes.length).toBe(FILE);
    expect(bytes.readBigInt64BE(0)).toBe(2n ** 40n + 5n);
    expect(bytes.readInt32BE(8)).toBe(1234);
    expect(bytes.readBigInt64BE(12)).toBe(-2n);
    expect(bytes.readBigInt64BE(20)).toBe(2n ** 40n + 1239n);
    expect(bytes.readInt32BE(28)).toBe(1);
    expect(bytes.readBigInt64BE(32)).toBe(2n ** 41n + 3n);
    expect(bytes.subarray(40).every((b) => b === 0)).toBe(true);
  });

  it('keeps queue order when puts that wait for a new segment are not awaited', async () => {
    const queue = await load();
    const results = range(0, 40).map((q) => queue.put(entry(q)));
    expect(results[0]).toBeInstanceOf(Promise);
    expect(results[1]).toBeInstanceOf(Promise);
    expect(await settled(results)).toEqual(results.map(() => true));
    expect(queue.put(entry(40))).toBe(true);
    await queue.commit();
    expect(await readAll(queue)).toEqual(range(0, 41).map(entry));
    await queue.close();
  });

  it('ignores a re-dispatch of an offset it already holds, committed or not', async () => {
    const queue = await load();
    await putAll(queue, range(0, 20).map(entry));
    await queue.commit();
    expect(queue.put({ ...entry(5), physicalOffset: 999_999 })).toBe(false);
    expect(queue.put(entry(19))).toBe(false);
    await putAll(queue, range(20, 32).map(entry));
    // The last segment is now full: a re-dispatch must not wait for (or create) the next one.
    expect(queue.put(entry(31))).toBe(false);
    expect(queue.put(entry(3))).toBe(false);
    await queue.commit();
    expect(await readAll(queue)).toEqual(range(0, 32).map(entry));
    expect(await segments()).toEqual(['00000000000000000000', '00000000000000000320']);
    await queue.close();
  });

  it('fills a gap before the first entry with blanks in the segment holding it, and minOffset starts there', async () => {
    const queue = await load();
    expect(await queue.put(entry(37))).toBe(true);
    expect([queue.minOffset, queue.maxOffset, queue.nextOffset]).toEqual([37, 38, 38]);
    await queue.commit();
    expect([queue.minOffset, queue.maxOffset]).toEqual([37, 38]);
    expect(await segments()).toEqual(['00000000000000000640']);
    expect(await queue.read(0, 10)).toEqual([entry(37)]);
    expect(queue.put(entry(36))).toBe(false);
    await putAll(queue, range(38, 50).map(entry));
    await queue.close();

    const bytes = await readFile(join(queueDir(), '00000000000000000640'));
    expect(bytes.subarray(0, 37 * UNIT - 640).every((b) => b === 0)).toBe(true);

    const again = await load();
    expect(again.minOffset).toBe(37);
    await again.recover();
    expect([again.minOffset, again.maxOffset, again.maxPhysicalEnd]).toEqual([37, 50, 5000]);
    expect(await readAll(again)).toEqual(range(37, 50).map(entry));
    await again.close();
  });

  it('restarts a queue at a gap past its end', async () => {
    const queue = await load();
    await putAll(queue, range(0, 20).map(entry));
    await queue.commit();
    expect(await queue.put(entry(40))).toBe(true);
    await queue.commit();
    expect([queue.minOffset, queue.maxOffset]).toEqual([40, 41]);
    expect(await segments()).toEqual(['00000000000000000640']);
    expect(await readAll(queue)).toEqual([entry(40)]);
    const again = await reopen(queue);
    expect([again.minOffset, again.maxOffset]).toEqual([40, 41]);
    await again.close();
  });

  it('reloads the same entries and offsets after close, including appends close committed', async () => {
    const queue = await load();
    await putAll(queue, range(0, 20).map(entry));
    await queue.commit();
    await putAll(queue, range(20, 41).map(entry));

    const again = await reopen(queue);
    expect([again.minOffset, again.maxOffset, again.nextOffset, again.maxPhysicalEnd]).toEqual([
      0, 41, 41, 4100,
    ]);
    expect(await readAll(again)).toEqual(range(0, 41).map(entry));
    expect(again.put(entry(41))).toBe(true);
    await again.close();
  });

  it('recovers up to the last valid entry when a segment tail was zeroed', async () => {
    const queue = await load();
    await putAll(queue, range(0, 40).map(entry));
    await queue.close();
    const last = join(queueDir(), '00000000000000000640');
    await overwrite(last, 35 * UNIT - 640, Buffer.alloc(FILE - (35 * UNIT - 640)));

    const again = await load();
    await again.recover();
    expect([again.minOffset, again.maxOffset, again.nextOffset, again.maxPhysicalEnd]).toEqual([
      0, 35, 35, 3500,
    ]);
    expect(await again.put(entry(35))).toBe(true);
    await again.commit();
    expect(await readAll(again)).toEqual(range(0, 36).map(entry));
    await again.close();
  });

  it('recovers to the end of the written data when more than three trailing segments were never written', async () => {
    const queue = await load();
    await putAll(queue, range(0, 16 * 6 + 3).map(entry));
    await queue.close();
    // A crash while commits ran four segments behind the appends: those files exist but hold only zeros.
    for (const name of (await segments()).slice(2))
      await overwrite(join(queueDir(), name), 0, Buffer.alloc(FILE));

    const again = await load();
    await again.recover();
    expect([again.minOffset, again.maxOffset, again.maxPhysicalEnd]).toEqual([0, 32, 3200]);
    expect(await readAll(again)).toEqual(range(0, 32).map(entry));
    expect(await segments()).toEqual(['00000000000000000000', '00000000000000000320']);
    expect(await again.put(entry(32))).toBe(true);
    await again.close();
  });

  it('recovers before a torn entry and drops the segments after it', async () => {
    const queue = await load();
    await putAll(queue, range(0, 40).map(entry));
    await queue.close();
    const torn = Buffer.alloc(UNIT, 0xff);
    await overwrite(join(queueDir(), '00000000000000000320'), 20 * UNIT - 320, torn);

    const again = await load();
    await again.recover();
    expect([again.maxOffset, again.maxPhysicalEnd]).toEqual([20, 2000]);
    expect(await segments()).toEqual(['00000000000000000000', '00000000000000000320']);
    await putAll(again, range(20, 25).map(entry));
    const third = await reopen(again);
    expect(await readAll(third)).toEqual(range(0, 25).map(entry));
    await third.close();
  });

  it('recovers an empty last segment and a queue of only blanks', async () => {
    const queue = await load();
    await putAll(queue, range(0, 33).map(entry));
    await queue.close();
    await overwrite(join(queueDir(), '00000000000000000640'), 0, Buffer.alloc(UNIT));

    let again = await load();
    await again.recover();
    expect([again.maxOffset, again.maxPhysicalEnd]).toEqual([32, 3200]);
    expect(await segments()).toEqual(['00000000000000000000', '00000000000000000320']);
    await again.destroy();

    again = await load();
    await again.put(entry(21));
    await again.close();
    await overwrite(join(queueDir(), '00000000000000000320'), 21 * UNIT - 320, Buffer.alloc(UNIT));
    again = await load();
    await again.recover();
    expect([again.minOffset, again.maxOffset, again.maxPhysicalEnd]).toEqual([16, 16, -1]);
    expect(await again.put(entry(21))).toBe(true);
    await again.commit();
    expect([again.minOffset, again.maxOffset]).toEqual([21, 22]);
    await again.close();
  });

  it('truncates entries beyond the end of a truncated CommitLog', async () => {
    const queue = await load();
    await putAll(queue, range(0, 40).map(entry));
    await queue.commit();

    await queue.truncateBeyond(4000);
    expect([queue.maxOffset, queue.maxPhysicalEnd]).toEqual([40, 4000]);

    await queue.truncateBeyond(2050);
    expect([queue.minOffset, queue.maxOffset, queue.nextOffset, queue.maxPhysicalEnd]).toEqual([
      0, 20, 20, 2000,
    ]);
    expect(await segments()).toEqual(['00000000000000000000', '00000000000000000320']);

    await queue.truncateBeyond(1600);
    expect([queue.maxOffset, queue.maxPhysicalEnd]).toEqual([16, 1600]);
    expect(await segments()).toEqual(['00000000000000000000']);
    expect(await queue.put(entry(16))).toBe(true);
    await queue.put(entry(17));
    // Uncommitted appends count too.
    await queue.truncateBeyond(1750);
    expect([queue.maxOffset, queue.maxPhysicalEnd]).toEqual([17, 1700]);

    await queue.truncateBeyond(0);
    expect([queue.minOffset, queue.maxOffset, queue.nextOffset, queue.maxPhysicalEnd]).toEqual([0, 0, 0, -1]);
    expect(await queue.put(entry(0))).toBe(true);

    const again = await reopen(queue);
    expect(await readAll(again)).toEqual([entry(0)]);
    await again.close();
  });

  it('advances minOffset past expired entries and deletes whole expired segments, never the last', async () => {
    const queue = await load();
    await putAll(queue, range(0, 50).map(entry));
    await queue.commit();

    await queue.deleteExpired(0);
    expect(queue.minOffset).toBe(0);

    await queue.deleteExpired(1650);
    expect([queue.minOffset, queue.maxOffset]).toEqual([17, 50]);
    expect(await segments()).toEqual([
      '00000000000000000320',
      '00000000000000000640',
      '00000000000000000960',
    ]);
    expect(await queue.read(0, 3)).toEqual(range(17, 20).map(entry));

    await queue.deleteExpired(3200);
    expect(queue.minOffset).toBe(32);
    expect(await segments()).toEqual(['00000000000000000640', '00000000000000000960']);

    await queue.deleteExpired(1_000_000);
    expect([queue.minOffset, queue.maxOffset, queue.nextOffset]).toEqual([50, 50, 50]);
    expect(await segments()).toEqual(['00000000000000000960']);
    expect(await queue.read(0, 10)).toEqual([]);
    expect(await queue.put(entry(50))).toBe(true);
    await queue.commit();
    expect(await readAll(queue)).toEqual([entry(50)]);

    // minOffset inside a segment is RocketMQ's correctMinOffset: recomputed after a restart.
    const again = await reopen(queue);
    expect(again.minOffset).toBe(48);
    await again.deleteExpired(5000);
    expect([again.minOffset, again.maxOffset]).toEqual([50, 51]);
    await again.close();
  });

  it('finds the first offset stored at or after a time by binary search', async () => {
    const queue = await load();
    await putAll(queue, range(0, 40).map(entry));
    await queue.commit();
    let reads = 0;
    const storeTimeOf = (e: ConsumeQueueEntry) => {
      reads += 1;
      return Promise.resolve(1000 + e.physicalOffset / 10);
    };

    expect(await queue.offsetByTime(1125, storeTimeOf)).toBe(13);
    expect(reads).toBeLessThanOrEqual(9);
    expect(await queue.offsetByTime(1130, storeTimeOf)).toBe(13);
    expect(await queue.offsetByTime(1390, storeTimeOf)).toBe(39);
    expect(await queue.offsetByTime(0, storeTimeOf)).toBe(0);
    expect(await queue.offsetByTime(99_999, storeTimeOf)).toBe(40);

    await queue.deleteExpired(2000);
    expect(await queue.offsetByTime(0, storeTimeOf)).toBe(20);
    expect(await queue.offsetByTime(1125, storeTimeOf)).toBe(20);
    expect(await queue.offsetByTime(1250, storeTimeOf)).toBe(25);
    await queue.close();
  });

  it('destroy deletes the queue directory', async () => {
    const queue = await load();
    await putAll(queue, range(0, 20).map(entry));
    await queue.destroy();
    await expect(stat(queueDir())).rejects.toThrow(/ENOENT/);
  });

  it('rejects a file size that is not a multiple of 20', async () => {
    await expect(load(root, 330)).rejects.toMatchObject({ code: 'ERR_STORE_CONFIG' });
  });

  it('reads back exactly what was put, across random commits, re-dispatches and a reload', async () => {
    const op = fc.oneof(
      {
        arbitrary: fc.record({
          kind: fc.constant('put' as const),
          size: fc.integer({ min: 1, max: 5000 }),
          tags: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          wait: fc.boolean(),
        }),
        weight: 8,
      },
      { arbitrary: fc.record({ kind: fc.constant('commit' as const) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('again' as const), back: fc.nat(100) }), weight: 1 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(40), fc.array(op, { maxLength: 120 }), async (start, ops) => {
        const dir = join(root, String(run++));
        await mkdir(dir);
        const queue = await load(dir);
        const model: ConsumeQueueEntry[] = [];
        const results: (boolean | Promise<boolean>)[] = [];
        const expected: boolean[] = [];
        let physical = 1_000_000;
        for (const o of ops) {
          if (o.kind === 'commit') {
            await queue.commit();
          } else if (o.kind === 'again') {
            if (model.length === 0) continue;
            results.push(queue.put(model[Math.max(0, model.length - 1 - o.back)]!));
            expected.push(false);
          } else {
            const e = {
              queueOffset: start + model.length,
              physicalOffset: physical,
              size: o.size,
              tagsCode: o.tags,
            };
            physical += o.size;
            model.push(e);
            const result = queue.put(e);
            results.push(o.wait ? await result : result);
            expected.push(true);
          }
        }
        expect(await settled(results)).toEqual(expected);
        await queue.commit();
        expect(await readAll(queue)).toEqual(model);

        const again = await reopen(queue, dir);
        const [min, max] = model.length === 0 ? [0, 0] : [start, start + model.length];
        expect([again.minOffset, again.maxOffset, again.nextOffset]).toEqual([min, max, max]);
        expect(again.maxPhysicalEnd).toBe(model.length === 0 ? -1 : physical);
        expect(await readAll(again)).toEqual(model);
        await again.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('ConsumeQueueTable', () => {
  it('loads every topic and numeric queue directory, and reports max offsets after recovery', async () => {
    const created = await ConsumeQueueTable.load(root, FILE);
    const a0 = await created.findOrCreate('TopicA', 0);
    const a1 = await created.findOrCreate('TopicA', 1);
    const b7 = await created.findOrCreate('%RETRY%group', 7);
    await putAll(a0, range(0, 20).map(entry));
    await putAll(a1, range(0, 3).map(entry));
    await putAll(b7, range(5, 6).map(entry));
    await created.flushAll();
    await created.flushAll();
    await created.close();
    await mkdir(join(root, 'TopicA', 'not-a-queue'));
    await mkdir(join(root, 'TopicA', '007'));
    await writeFile(join(root, 'stray-file'), 'x');

    const table = await ConsumeQueueTable.load(root, FILE);
    await table.recover();
    expect(Array.from(table.all(), (q) => `${q.topic}/${q.queueId}`).sort()).toEqual([
      '%RETRY%group/7',
      'TopicA/0',
      'TopicA/1',
    ]);
    expect(table.maxOffsets()).toEqual(
      new Map([
        [
          'TopicA',
          new Map([
            [0, 20],
            [1, 3],
          ]),
        ],
        ['%RETRY%group', new Map([[7, 6]])],
      ]),
    );
    expect(table.find('%RETRY%group', 7)?.minOffset).toBe(5);
    expect(table.find('TopicA', 2)).toBeUndefined();
    expect(await table.find('TopicA', 0)?.read(18, 5)).toEqual(range(18, 20).map(entry));

    await table.truncateBeyond(1000);
    expect(table.find('TopicA', 0)?.maxOffset).toBe(10);
    await table.deleteExpired(500);
    expect(table.find('TopicA', 0)?.minOffset).toBe(5);
    expect(table.find('TopicA', 1)?.minOffset).toBe(3);
    await table.close();
  });

  it('shares one creation between concurrent callers', async () => {
    const table = await ConsumeQueueTable.load(join(root, 'missing'), FILE);
    const [first, second] = await Promise.all([table.findOrCreate('T', 1), table.findOrCreate('T', 1)]);
    expect(first).toBe(second);
    expect(table.find('T', 1)).toBe(first);
    expect(await table.findOrCreate('T', 1)).toBe(first);
    await table.close();
  });

  it('deletes a topic with its queues and directory', async () => {
    const table = await ConsumeQueueTable.load(root, FILE);
    await putAll(await table.findOrCreate('Gone', 0), [entry(0)]);
    await putAll(await table.findOrCreate('Gone', 1), [entry(0)]);
    const kept = await table.findOrCreate('Kept', 0);
    await table.flushAll();
    await table.deleteTopic('Gone');
    expect(table.find('Gone', 0)).toBeUndefined();
    expect(Array.from(table.all())).toEqual([kept]);
    expect(await readdir(root)).toEqual(['Kept']);
    await table.close();
  });
});
