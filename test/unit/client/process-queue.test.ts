import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InFlight, PullThresholds, createProcessQueue } from '../../../src/client/process-queue.js';

const msgs = (from: number, n: number, size = 10): InFlight[] =>
  Array.from({ length: n }, (_, i) => ({ queueOffset: from + i, size }));

describe('ProcessQueue', () => {
  it('counts messages, bytes and the offset span in flight', () => {
    const pq = createProcessQueue();
    pq.add(msgs(5, 4, 100));
    expect(pq.stats()).toEqual({ count: 4, bytes: 400, offsetSpan: 3 });
    expect(pq.remove(8)).toBe(true);
    expect(pq.stats()).toEqual({ count: 3, bytes: 300, offsetSpan: 2 });
  });

  it('commits the lowest in-flight offset, one past the highest pulled when empty, -1 before any pull', () => {
    const pq = createProcessQueue();
    expect(pq.committedOffset()).toBe(-1);
    pq.add(msgs(10, 3));
    pq.remove(11);
    expect(pq.committedOffset()).toBe(10);
    pq.remove(10);
    expect(pq.committedOffset()).toBe(12);
    pq.remove(12);
    expect(pq.committedOffset()).toBe(13);
  });

  it('advances an empty window past offsets the broker filtered out, never backwards', () => {
    const pq = createProcessQueue();
    pq.add(msgs(0, 2));
    pq.advanceTo(9);
    expect(pq.committedOffset()).toBe(0);
    pq.remove(0);
    pq.remove(1);
    expect(pq.committedOffset()).toBe(9);
    pq.advanceTo(4);
    expect(pq.committedOffset()).toBe(9);
    pq.add(msgs(5, 1));
    expect(pq.stats().count).toBe(0);
  });

  it('treats a second ack as a no-op and ignores re-pulled offsets', () => {
    const pq = createProcessQueue();
    pq.add(msgs(0, 2, 7));
    expect(pq.remove(0)).toBe(true);
    expect(pq.remove(0)).toBe(false);
    pq.add(msgs(0, 2, 7));
    expect(pq.stats()).toEqual({ count: 1, bytes: 7, offsetSpan: 0 });
  });

  it('pauses at RocketMQ’s thresholds: 1000 messages, 100 MiB, an offset span over 2000', () => {
    const byCount = createProcessQueue();
    byCount.add(msgs(0, PullThresholds.MESSAGES - 1));
    expect(byCount.shouldPause()).toBe(false);
    byCount.add(msgs(PullThresholds.MESSAGES - 1, 1));
    expect(byCount.shouldPause()).toBe(true);

    const byBytes = createProcessQueue();
    byBytes.add([{ queueOffset: 0, size: PullThresholds.BYTES }]);
    expect(byBytes.shouldPause()).toBe(true);

    const bySpan = createProcessQueue();
    bySpan.add([
      { queueOffset: 0, size: 1 },
      { queueOffset: PullThresholds.OFFSET_SPAN + 1, size: 1 },
    ]);
    expect(bySpan.shouldPause()).toBe(true);
    bySpan.remove(0);
    expect(bySpan.shouldPause()).toBe(false);
  });

  it('room$ tells the loop when acks make room again, once per change', () => {
    const pq = createProcessQueue({ maxMessages: 2 });
    const seen: boolean[] = [];
    const sub = pq.room$.subscribe((r) => seen.push(r));
    pq.add(msgs(0, 1));
    pq.add(msgs(1, 1));
    pq.add(msgs(2, 1));
    pq.remove(0);
    pq.remove(1);
    expect(seen).toEqual([true, false, true]);
    sub.unsubscribe();
  });

  it('completes room$ and reports dropped once revoked', () => {
    const pq = createProcessQueue();
    let completed = false;
    pq.room$.subscribe({ complete: () => (completed = true) });
    expect(pq.dropped).toBe(false);
    pq.drop();
    expect(pq.dropped).toBe(true);
    expect(completed).toBe(true);
  });

  it('never lets the committed offset pass an unacknowledged message, whatever the ack order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        (start, n, picks) => {
          const pq = createProcessQueue();
          pq.add(msgs(start, n));
          const unacked = new Set(msgs(start, n).map((m) => m.queueOffset));
          for (const pick of picks) {
            const offset = start + (pick % n);
            pq.remove(offset);
            unacked.delete(offset);
            const committed = pq.committedOffset();
            for (const u of unacked) expect(committed).toBeLessThanOrEqual(u);
            if (unacked.size === 0) expect(committed).toBe(start + n);
            else expect(committed).toBe(Math.min(...unacked));
          }
        },
      ),
    );
  });
});
