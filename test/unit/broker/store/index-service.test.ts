import fc from 'fast-check';
import {
  cp,
  mkdtemp,
  open as openFile,
  readdir,
  readFile,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexKeyHash, IndexService } from '../../../../src/broker/store/index-service.js';
import { RxRocketError } from '../../../../src/errors.js';
import { javaStringHashCode } from '../../../../src/protocol/java-hash.js';
import { readLong } from '../../../../src/protocol/long-field.js';

const BASE = 1_700_000_000_000;
const ALL = Number.MAX_SAFE_INTEGER;

interface Geometry {
  maxHashSlotNum: number;
  maxIndexNum: number;
}

let dir: string;
const services: IndexService[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-index-'));
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function load(
  geometry: Geometry = { maxHashSlotNum: 7, maxIndexNum: 100 },
  at = dir,
): Promise<IndexService> {
  const service = await IndexService.load(at, geometry);
  services.push(service);
  return service;
}

async function offsets(
  service: IndexService,
  key: string,
  begin = 0,
  end = ALL,
  maxNum = 1000,
): Promise<number[]> {
  return (await service.query('T', key, maxNum, begin, end)).physicalOffsets;
}

/** Adds one message a second at offsets 100, 200, ... under `T#key` for each key. */
async function addMessages(
  service: IndexService,
  count: number,
  keysOf: (n: number) => string[],
): Promise<void> {
  for (let n = 1; n <= count; n++)
    await service.add(
      keysOf(n).map((k) => `T#${k}`),
      n * 100,
      BASE + n * 1000,
    );
}

const names = async (): Promise<string[]> => (await readdir(dir)).sort();

describe('IndexService', () => {
  it('finds added keys in one file, and writes RocketMQ’s layout', async () => {
    const index = await load({ maxHashSlotNum: 7, maxIndexNum: 10 });
    expect(index.add(['T#a', 'T#b'], 100, BASE)).toBeInstanceOf(Promise); // creates the first file
    await index.flush();
    expect(index.add(['T#a'], 200, BASE + 2500)).toBeUndefined();
    expect(await offsets(index, 'a')).toEqual([200, 100]);
    expect(await offsets(index, 'b')).toEqual([100]);
    expect(await offsets(index, 'c')).toEqual([]);
    await index.flush();

    const [name] = await names();
    expect(name).toMatch(/^\d{17}$/);
    const bytes = await readFile(join(dir, name!));
    expect(bytes.length).toBe(40 + 7 * 4 + 10 * 20);
    expect([readLong(bytes, 0), readLong(bytes, 8), readLong(bytes, 16), readLong(bytes, 24)]).toEqual([
      BASE,
      BASE + 2500,
      100,
      200,
    ]);
    expect([bytes.readInt32BE(32), bytes.readInt32BE(36)]).toEqual([3, 4]);
    const hashA = indexKeyHash('T#a');
    expect(bytes.readInt32BE(40 + (hashA % 7) * 4)).toBe(3);
    const entry3 = 40 + 7 * 4 + 3 * 20;
    expect(bytes.readInt32BE(entry3)).toBe(hashA);
    expect(readLong(bytes, entry3 + 4)).toBe(200);
    expect(bytes.readInt32BE(entry3 + 12)).toBe(2); // whole seconds after the begin
    expect(bytes.readInt32BE(entry3 + 16)).toBe(1); // the previous 'T#a' entry
    expect(index.flushedTimestamp).toBe(BASE + 2500);
  });

  it('finds every key of a single, crowded slot', async () => {
    const index = await load({ maxHashSlotNum: 1, maxIndexNum: 1000 });
    await addMessages(index, 300, (n) => [`k${n % 10}`]);
    for (let k = 0; k < 10; k++) {
      const expected = Array.from({ length: 30 }, (_, i) => (300 - ((300 - k) % 10) - i * 10) * 100);
      expect(await offsets(index, `k${k}`)).toEqual(expected);
    }
  });

  it('filters by time and stops at maxNum, newest first', async () => {
    const index = await load();
    await addMessages(index, 10, () => ['x']);
    expect(await offsets(index, 'x', BASE + 3000, BASE + 6000)).toEqual([600, 500, 400, 300]);
    expect(await offsets(index, 'x', BASE + 20_000, ALL)).toEqual([]);
    expect(await offsets(index, 'x', 0, BASE + 500)).toEqual([]);
    expect(await offsets(index, 'x', 0, ALL, 3)).toEqual([1000, 900, 800]);
    expect(await offsets(index, 'x', BASE + 2000, BASE + 9000, 2)).toEqual([900, 800]);
    const result = await index.query('T', 'x', 0, 0, ALL);
    expect(result).toEqual({
      physicalOffsets: [],
      lastUpdateTimestamp: BASE + 10_000,
      lastUpdatePhysicalOffset: 1000,
    });
  });

  it('rolls to new files when full, keeps unawaited adds in order, and queries across files', async () => {
    const index = await load({ maxHashSlotNum: 3, maxIndexNum: 3 });
    const pending = Array.from({ length: 10 }, (_, i) =>
      index.add([`T#k${i % 2}`], (i + 1) * 100, BASE + i * 1000),
    );
    // Everything after the first add waits behind the creation of the first file.
    expect(pending.every((p) => p instanceof Promise)).toBe(true);
    for (const p of pending) await p;
    expect(await names()).toHaveLength(5);
    expect(await offsets(index, 'k0')).toEqual([900, 700, 500, 300, 100]);
    expect(await offsets(index, 'k1')).toEqual([1000, 800, 600, 400, 200]);
    expect(await offsets(index, 'k1', 0, ALL, 2)).toEqual([1000, 800]);
    expect(await offsets(index, 'k0', BASE + 2000, BASE + 6000)).toEqual([700, 500, 300]);
  });

  it('reloads its files and keeps adding to the newest', async () => {
    const geometry = { maxHashSlotNum: 5, maxIndexNum: 8 };
    const first = await load(geometry);
    await addMessages(first, 10, (n) => [`k${n % 3}`]);
    await first.close();
    const before = await names();
    expect(before).toHaveLength(2);

    const index = await load(geometry);
    expect(index.flushedTimestamp).toBe(BASE + 10_000);
    expect(await offsets(index, 'k1')).toEqual([1000, 700, 400, 100]);
    expect(index.add(['T#k1'], 1100, BASE + 11_000)).toBeUndefined();
    expect(await names()).toEqual(before);
    expect(await offsets(index, 'k1')).toEqual([1100, 1000, 700, 400, 100]);
    expect((await index.query('T', 'k1', 10, 0, ALL)).lastUpdatePhysicalOffset).toBe(1100);
  });

  it('indexes a key whose Java hash is Integer.MIN_VALUE under slot and hash 0', async () => {
    expect(javaStringHashCode('TopicTest#aXA4r82')).toBe(-0x80000000);
    expect(indexKeyHash('TopicTest#aXA4r82')).toBe(0);
    const index = await load({ maxHashSlotNum: 7, maxIndexNum: 10 });
    await index.add(['TopicTest#aXA4r82'], 100, BASE);
    expect((await index.query('TopicTest', 'aXA4r82', 10, 0, ALL)).physicalOffsets).toEqual([100]);
    await index.close();
    const bytes = await readFile(join(dir, (await names())[0]!));
    expect(bytes.readInt32BE(40)).toBe(1);
    expect(bytes.readInt32BE(40 + 7 * 4 + 20)).toBe(0);
    const reloaded = await load({ maxHashSlotNum: 7, maxIndexNum: 10 });
    expect((await reloaded.query('TopicTest', 'aXA4r82', 10, 0, ALL)).physicalOffsets).toEqual([100]);
  });

  it('truncateBeyond deletes files past the end, cuts the straddling one and re-dispatch fills it again', async () => {
    const geometry = { maxHashSlotNum: 3, maxIndexNum: 5 };
    const first = await load(geometry);
    await addMessages(first, 12, () => ['x']);
    await first.close();
    expect(await names()).toHaveLength(3);

    const index = await load(geometry);
    await index.truncateBeyond(650);
    expect(await names()).toHaveLength(2);
    expect(await offsets(index, 'x')).toEqual([600, 500, 400, 300, 200, 100]);
    expect(index.flushedTimestamp).toBe(BASE + 6000);
    // Re-dispatch from an earlier offset: what is indexed already is skipped.
    await addMessages(index, 9, () => ['x']);
    expect(await offsets(index, 'x')).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100]);
    expect(await names()).toHaveLength(3);

    await index.truncateBeyond(0);
    expect(await names()).toEqual([]);
    await index.add(['T#x'], 100, BASE);
    expect(await offsets(index, 'x')).toEqual([100]);
  });

  it('re-dispatch adds the keys of a message that a roll split and a crash cut short', async () => {
    const geometry = { maxHashSlotNum: 3, maxIndexNum: 3 };
    const first = await load(geometry);
    await first.add(['T#a', 'T#b', 'T#c'], 100, BASE);
    await first.close();
    const files = await names();
    expect(files).toHaveLength(2);
    await unlink(join(dir, files[1]!));

    const index = await load(geometry);
    await index.truncateBeyond(200);
    await index.add(['T#a', 'T#b', 'T#c'], 100, BASE);
    for (const key of ['a', 'b', 'c']) expect(await offsets(index, key)).toEqual([100]);
  });

  it('rebuilds slots that a crash left pointing past the header count, and reads unwritten headers as empty', async () => {
    const geometry = { maxHashSlotNum: 5, maxIndexNum: 50 };
    const first = await load(geometry);
    await addMessages(first, 6, (n) => [`k${n % 2}`]);
    await first.close();
    const [name] = await names();
    const handle = await openFile(join(dir, name!), 'r+');
    const slot = Buffer.alloc(4);
    slot.writeInt32BE(9);
    await handle.write(slot, 0, 4, 40 + (indexKeyHash('T#k0') % 5) * 4);
    await handle.close();

    const index = await load(geometry);
    expect(await offsets(index, 'k0')).toEqual([600, 400, 200]);
    await index.add(['T#k0'], 700, BASE + 7000);
    expect(await offsets(index, 'k0')).toEqual([700, 600, 400, 200]);
    await index.close();

    await rm(dir, { recursive: true });
    const fresh = await load(geometry);
    await writeFile(join(dir, '20240101000000000'), Buffer.alloc(0));
    await fresh.close();
    const reloaded = await load(geometry);
    expect((await stat(join(dir, '20240101000000000'))).size).toBe(40 + 5 * 4 + 50 * 20);
    expect(reloaded.add(['T#z'], 100, BASE)).toBeUndefined();
    expect(await offsets(reloaded, 'z')).toEqual([100]);
  });

  it('deleteExpired removes old files whose entries all lie before the offset, never the newest', async () => {
    const index = await load({ maxHashSlotNum: 3, maxIndexNum: 5 });
    await addMessages(index, 10, () => ['x']);
    expect(await names()).toHaveLength(3);
    await index.deleteExpired(500);
    expect(await names()).toHaveLength(2);
    await index.deleteExpired(850);
    expect(await names()).toHaveLength(1);
    await index.deleteExpired(100_000);
    expect(await names()).toHaveLength(1);
    expect(await offsets(index, 'x')).toEqual([1000, 900]);
  });

  it('refuses files of another geometry and a bad geometry', async () => {
    const first = await load({ maxHashSlotNum: 5, maxIndexNum: 10 });
    await first.add(['T#a'], 100, BASE);
    await first.close();
    await expect(IndexService.load(dir, { maxHashSlotNum: 6, maxIndexNum: 10 })).rejects.toMatchObject({
      code: 'ERR_INDEX_FILE',
    });
    await expect(IndexService.load(dir, { maxHashSlotNum: 5, maxIndexNum: 1 })).rejects.toBeInstanceOf(
      RxRocketError,
    );
  });

  it('keeps entries across 8192-entry buffer chunks and slot tables of many pages straight through flushes', async () => {
    const geometry = { maxHashSlotNum: 50_000, maxIndexNum: 20_000 };
    const keyOf = (n: number): string => `k${(n * 7919) % 3001}`;
    const expectKeys = async (index: IndexService, upTo: number): Promise<void> => {
      for (const k of [0, 1, 17, 1500, 3000]) {
        const expected: number[] = [];
        for (let n = upTo; n >= 1; n--) if (keyOf(n) === `k${k}`) expected.push(n);
        expect(await offsets(index, `k${k}`)).toEqual(expected);
      }
    };
    const first = await load(geometry);
    for (let n = 1; n <= 19_000; n++) {
      await first.add([`T#${keyOf(n)}`], n, BASE + n);
      if ([1, 2, 5, 8190, 8200, 16_384, 16_390].includes(n)) await first.flush();
      if ([8195, 16_400].includes(n)) await expectKeys(first, n);
    }
    await expectKeys(first, 19_000);
    await first.close();
    const index = await load(geometry);
    await expectKeys(index, 19_000);
    for (let n = 19_001; n <= 20_500; n++) await index.add([`T#${keyOf(n)}`], n, BASE + n);
    expect(await names()).toHaveLength(2);
    await expectKeys(index, 20_500);
  });

  it('property: after random adds, flushes, a reload and a repeated dispatch, every key finds exactly its offsets', async () => {
    await fc.assert(
      fc.asyncProperty(
        geometryArb,
        fc.array(messageArb, { maxLength: 30 }),
        rangesArb,
        async (geometry, steps, ranges) => {
          const at = await mkdtemp(join(dir, 'run-'));
          const messages = timeline(steps);
          const first = await load(geometry, at);
          for (const m of messages) {
            await first.add(keysOf(m), m.offset, m.time);
            if (m.flush) await first.flush();
          }
          await expectExact(first, messages, ranges);
          await first.close();
          const index = await load(geometry, at);
          await expectExact(index, messages, ranges);
          for (const m of messages) await index.add(keysOf(m), m.offset, m.time);
          await expectExact(index, messages, ranges);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('property: a crash at any point, a lost CommitLog tail and a re-dispatch from the checkpoint leave an exact index', async () => {
    await fc.assert(
      fc.asyncProperty(
        geometryArb,
        fc.array(messageArb, { maxLength: 30 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 3 }),
        rangesArb,
        async (geometry, steps, crashSeed, cutSeed, earlier, ranges) => {
          const at = await mkdtemp(join(dir, 'run-'));
          const messages = timeline(steps);
          const crashAt = crashSeed % (messages.length + 1);
          const first = await load(geometry, at);
          for (const m of messages.slice(0, crashAt)) {
            await first.add(keysOf(m), m.offset, m.time);
            if (m.flush) await first.flush();
          }
          // What the disk holds when the process dies: everything written so far, nothing still in memory.
          const crashed = `${at}-crash`;
          await cp(at, crashed, { recursive: true });
          const survivors = messages.slice(0, cutSeed % (crashAt + 1));
          const commitLogEnd = (survivors.at(-1)?.offset ?? 0) + 1;

          const index = await load(geometry, crashed);
          await index.truncateBeyond(commitLogEnd);
          const checkpoint = index.flushedTimestamp;
          const from = Math.max(0, survivors.findIndex((m) => m.time >= checkpoint) - earlier);
          const redispatch =
            survivors.findIndex((m) => m.time >= checkpoint) < 0 ? [] : survivors.slice(from);
          for (const m of redispatch) await index.add(keysOf(m), m.offset, m.time);
          await expectExact(index, survivors, ranges);
        },
      ),
      { numRuns: 80 },
    );
  }, 60_000);
});

interface Message {
  readonly keys: string[];
  readonly offset: number;
  readonly time: number;
  readonly flush: boolean;
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const geometryArb = fc.record({
  maxHashSlotNum: fc.integer({ min: 1, max: 7 }),
  maxIndexNum: fc.integer({ min: 2, max: 9 }),
});
const messageArb = fc.record({
  keys: fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 3 }),
  gap: fc.integer({ min: 1, max: 400 }),
  dt: fc.integer({ min: 0, max: 2500 }),
  flush: fc.boolean(),
});
const rangesArb = fc.array(
  fc.tuple(fc.integer({ min: -3000, max: 60_000 }), fc.integer({ min: 0, max: 60_000 })),
  {
    minLength: 1,
    maxLength: 4,
  },
);

/** CommitLog order: offsets and store timestamps never go back. */
function timeline(steps: readonly { keys: string[]; gap: number; dt: number; flush: boolean }[]): Message[] {
  let offset = 0;
  let time = BASE;
  return steps.map(({ keys, gap, dt, flush }) => ({
    keys,
    offset: (offset += gap),
    time: (time += dt),
    flush,
  }));
}

const keysOf = (m: Message): string[] => m.keys.map((k) => `T#${k}`);

/**
 * Every key's query, once the caller re-checks key and time on the message as it must, returns exactly the
 * messages with that key in the range, newest first; what it returns beyond that shares the key's hash and
 * lies within a second of the range.
 */
async function expectExact(
  index: IndexService,
  messages: readonly Message[],
  ranges: [number, number][],
): Promise<void> {
  const byOffset = new Map(messages.map((m) => [m.offset, m]));
  for (const [from, length] of ranges) {
    const begin = BASE + from;
    const end = begin + length;
    for (const key of KEYS) {
      const found = await offsets(index, key, begin, end);
      const inRange = (m: Message): boolean => m.keys.includes(key) && m.time >= begin && m.time <= end;
      for (const o of found) {
        const m = byOffset.get(o);
        expect(m).toBeDefined();
        expect(m!.time).toBeGreaterThanOrEqual(begin - 999);
        expect(m!.time).toBeLessThanOrEqual(end + 999);
        expect(m!.keys.some((k) => indexKeyHash(`T#${k}`) === indexKeyHash(`T#${key}`))).toBe(true);
      }
      const expected = messages.filter(inRange).map((m) => m.offset);
      expect(found.filter((o) => inRange(byOffset.get(o)!))).toEqual(expected.reverse());
    }
  }
}
