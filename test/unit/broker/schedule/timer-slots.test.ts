import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimerCheckpoint } from '../../../../src/broker/schedule/timer-checkpoint.js';
import {
  SLOT_ENTRY_SIZE,
  type SlotEntry,
  TimerSlots,
  decodeSlotEntries,
  encodeSlotEntries,
} from '../../../../src/broker/schedule/timer-slots.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir = '';
useTempDir('rxrocket-timer-', (path) => {
  dir = path;
});

const entry = (deliverAt: number, physicalOffset: number, queueOffset = 0): SlotEntry => ({
  deliverAt,
  physicalOffset,
  size: 200 + queueOffset,
  queueOffset,
});

describe('slot entry format', () => {
  it('is 32 bytes an entry: magic, size, deliverAt, physical offset, queue offset (big-endian)', () => {
    const buf = encodeSlotEntries([entry(1_700_000_000_123, 2 ** 40 + 5, 7)]);
    expect(buf.length).toBe(SLOT_ENTRY_SIZE);
    expect(buf.readInt32BE(0)).toBe(0x54494d52);
    expect(buf.readInt32BE(4)).toBe(207);
    expect(Number(buf.readBigInt64BE(8))).toBe(1_700_000_000_123);
    expect(Number(buf.readBigInt64BE(16))).toBe(2 ** 40 + 5);
    expect(Number(buf.readBigInt64BE(24))).toBe(7);
    expect(decodeSlotEntries(buf)).toEqual([entry(1_700_000_000_123, 2 ** 40 + 5, 7)]);
  });

  it('reads due time first, counts a re-enqueued entry once, and stops at a torn or foreign tail', () => {
    const buf = Buffer.concat([
      encodeSlotEntries([entry(50, 100, 1), entry(20, 200, 2), entry(50, 100, 1), entry(20, 300, 3)]),
      Buffer.alloc(SLOT_ENTRY_SIZE),
      encodeSlotEntries([entry(10, 400, 4)]),
    ]);
    expect(decodeSlotEntries(buf).map((e) => e.physicalOffset)).toEqual([200, 300, 100]);
    const torn = encodeSlotEntries([entry(5, 1), entry(6, 2)]).subarray(0, SLOT_ENTRY_SIZE + 10);
    expect(decodeSlotEntries(torn)).toEqual([entry(5, 1)]);
  });
});

describe('TimerSlots', () => {
  it('keeps one file per precision window, due once the whole window has passed, and finds them again', async () => {
    const slotsDir = join(dir, 'slots');
    const slots = await TimerSlots.open(slotsDir, 100);
    await slots.append([entry(1_050, 1), entry(1_099, 2), entry(1_100, 3), entry(5_000, 4)]);
    expect((await readdir(slotsDir)).sort()).toEqual([
      '00000000000000001000',
      '00000000000000001100',
      '00000000000000005000',
    ]);
    expect(slots.dueSlots(1_099)).toEqual([]);
    expect(slots.dueSlots(1_100)).toEqual([1_000]);
    expect(slots.dueSlots(1_200)).toEqual([1_000, 1_100]);
    expect((await slots.read(1_000)).map((e) => e.physicalOffset)).toEqual([1, 2]);

    await slots.remove(1_000);
    const reopened = await TimerSlots.open(slotsDir, 100);
    expect(reopened.pendingSlots).toBe(2);
    expect(reopened.dueSlots(10_000)).toEqual([1_100, 5_000]);
    await reopened.append([entry(1_150, 5)]);
    expect((await reopened.read(1_100)).map((e) => e.physicalOffset)).toEqual([3, 5]);
    expect(await reopened.read(999_900)).toEqual([]);
  });

  it('ignores stray files in its directory', async () => {
    const slotsDir = join(dir, 'slots');
    const slots = await TimerSlots.open(slotsDir, 1000);
    await appendFile(join(slotsDir, 'notes.txt'), 'x');
    await slots.append([entry(3_500, 1)]);
    expect((await TimerSlots.open(slotsDir, 1000)).dueSlots(Number.MAX_SAFE_INTEGER)).toEqual([3_000]);
  });
});

describe('TimerCheckpoint', () => {
  it('starts at 0, moves only forward, is written by persist and survives a reload; a corrupt file falls back to its backup', async () => {
    const path = join(dir, 'timerCheckpoint.json');
    const checkpoint = await TimerCheckpoint.load(path);
    expect(checkpoint.enqueueOffset).toBe(0);
    checkpoint.advance(12);
    expect((await TimerCheckpoint.load(path)).enqueueOffset).toBe(0);
    await checkpoint.persist();
    checkpoint.advance(13);
    checkpoint.advance(5);
    expect(checkpoint.enqueueOffset).toBe(13);
    await checkpoint.persist();
    expect((await TimerCheckpoint.load(path)).enqueueOffset).toBe(13);
    await writeFile(path, '{"enqueueOff');
    expect((await TimerCheckpoint.load(path)).enqueueOffset).toBe(12);
  });
});
