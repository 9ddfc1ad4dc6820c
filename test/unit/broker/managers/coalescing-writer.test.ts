import { describe, expect, it } from 'vitest';
import { CoalescingWriter } from '../../../../src/broker/managers/coalescing-writer.js';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('CoalescingWriter', () => {
  it('merges requests made during a write into one more write that sees the latest state', async () => {
    let state = 0;
    const written: number[] = [];
    const gates: { resolve: () => void }[] = [];
    const writer = new CoalescingWriter(async () => {
      const snapshot = state;
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      written.push(snapshot);
    });
    state = 1;
    const first = writer.request();
    state = 2;
    const second = writer.request();
    state = 3;
    const third = writer.request();
    expect(second).toBe(third);
    gates[0]!.resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    gates[1]!.resolve();
    await Promise.all([second, third]);
    expect(written).toEqual([1, 3]);
  });

  it('a failed write rejects its callers but not the next write', async () => {
    let fail = true;
    const writer = new CoalescingWriter(() => (fail ? Promise.reject(new Error('disk')) : Promise.resolve()));
    await expect(writer.request()).rejects.toThrow('disk');
    fail = false;
    await expect(writer.request()).resolves.toBeUndefined();
  });
});
