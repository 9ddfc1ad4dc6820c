import { describe, expect, it } from 'vitest';
import { type PulledMessage, toPulledMessage } from '../../../../src/client/consumer-message.js';
import { createProcessQueue } from '../../../../src/client/process-queue.js';
import { type FeedRun, createFetchBuffer } from '../../../../src/client/pull-consumer/fetch-buffer.js';
import { extAt } from '../../../fixtures/client/records.js';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
const base = toPulledMessage(extAt(0), q0);
/** Decoding a record per message would dominate the compaction test; only the offset matters here. */
const at = (queueOffset: number): PulledMessage => ({ ...base, queueOffset });
const q1 = { topic: 'T', brokerName: 'b', queueId: 1 };

/** A run whose window holds `offsets`, as its pull loop would have added them. */
const runWith = (queue: typeof q0, offsets: number[]): FeedRun => {
  const window = createProcessQueue();
  window.add(offsets.map((queueOffset) => ({ queueOffset, size: 1 })));
  return { queue, window };
};

describe('createFetchBuffer', () => {
  it('hands messages out in arrival order, each leaving its window, and names each run once per take', () => {
    const buffer = createFetchBuffer();
    const a = runWith(q0, [0, 1, 2]);
    const b = runWith(q1, [7]);
    for (const o of [0, 1]) buffer.push(a, toPulledMessage(extAt(o), q0));
    buffer.push(b, toPulledMessage(extAt(7), q1));
    buffer.push(a, toPulledMessage(extAt(2), q0));

    const runs: FeedRun[] = [];
    const taken = buffer.take(3, (run) => runs.push(run));

    expect(taken.map((m) => [m.queue.queueId, m.queueOffset])).toEqual([
      [0, 0],
      [0, 1],
      [1, 7],
    ]);
    expect(runs).toEqual([a, b]);
    expect(a.window.committedOffset()).toBe(2);
    expect(b.window.stats().count).toBe(0);
    expect(buffer.size).toBe(1);
  });

  it('skips what a dropped run buffered', () => {
    const buffer = createFetchBuffer();
    const old = runWith(q0, [0, 1]);
    const fresh = runWith(q0, [5]);
    buffer.push(old, toPulledMessage(extAt(0), q0));
    buffer.push(old, toPulledMessage(extAt(1), q0));
    buffer.push(fresh, toPulledMessage(extAt(5), q0));
    old.window.drop();

    const runs: FeedRun[] = [];
    expect(buffer.take(10, (run) => runs.push(run)).map((m) => m.queueOffset)).toEqual([5]);
    expect(runs).toEqual([fresh]);
    expect(buffer.size).toBe(0);
  });

  it('keeps working across compactions and after clear()', () => {
    const buffer = createFetchBuffer();
    const offsets = Array.from({ length: 3000 }, (_, i) => i);
    const run = runWith(q0, offsets);
    for (const o of offsets) buffer.push(run, at(o));
    const seen: number[] = [];
    while (buffer.size > 0) seen.push(...buffer.take(7, () => undefined).map((m) => m.queueOffset));
    expect(seen).toEqual(offsets);

    buffer.push(run, toPulledMessage(extAt(1), q0));
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.take(1, () => undefined)).toEqual([]);
  });
});
