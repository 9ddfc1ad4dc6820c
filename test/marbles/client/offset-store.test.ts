import { type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type OffsetStorePort, createOffsetStore } from '../../../src/client/offset-store.js';
import type { MessageQueue } from '../../../src/client/queue-selector.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

const q0: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 0 };
const q1: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 1 };

/** Records writes as `queueId:offset`; `answer` decides how each write goes. */
const recordingPort = (answer: (queue: MessageQueue) => Observable<void> = () => of(undefined)) => {
  const writes: string[] = [];
  const port: OffsetStorePort = {
    read$: (queue) => of(queue.queueId === 0 ? 40 : undefined),
    write$: (queue, offset) => {
      writes.push(`${queue.queueId}:${offset}`);
      return answer(queue);
    },
  };
  return { port, writes };
};

describe('offset store', () => {
  it('keeps offsets in memory, and never moves one back when asked to only increase', () => {
    const store = createOffsetStore(recordingPort().port);
    store.update(q0, 10);
    store.update(q0, 5, true);
    expect(store.readMemory(q0)).toBe(10);
    store.update(q0, 5);
    expect(store.readMemory(q0)).toBe(5);
    expect(store.readMemory(q1)).toBeUndefined();
  });

  it('caches a stored offset as already written, and reports none as undefined', () => {
    const { port, writes } = recordingPort();
    const store = createOffsetStore(port);
    const seen: (number | undefined)[] = [];
    store.readStored$(q0).subscribe((o) => seen.push(o));
    store.readStored$(q1).subscribe((o) => seen.push(o));
    expect(seen).toEqual([40, undefined]);
    expect(store.readMemory(q0)).toBe(40);
    store.persist$().subscribe();
    expect(writes).toEqual([]);
  });

  it('persists after 10 s and every 5 s, writing only offsets that changed', () => {
    const { port, writes } = recordingPort();
    newScheduler().run(({ hot, expectObservable }) => {
      const store = createOffsetStore(port);
      store.update(q0, 1);
      hot('12s a').subscribe(() => store.update(q1, 7));
      expectObservable(store.persistLoop$(), '^ 21s !').toBe('');
    });
    expect(writes).toEqual(['0:1', '1:7']);
  });

  it('retries a failed write at the next persist and reports the error', () => {
    let fail = true;
    const errors: unknown[] = [];
    const { port, writes } = recordingPort(() => {
      if (!fail) return of(undefined);
      fail = false;
      throw new Error('down');
    });
    const store = createOffsetStore(port, { onError: (e) => errors.push(e) });
    store.update(q0, 3);
    store.persist$().subscribe();
    store.persist$().subscribe();
    store.persist$().subscribe();
    expect(writes).toEqual(['0:3', '0:3']);
    expect(errors).toEqual([new Error('down')]);
  });

  it('writes a revoked queue one last time, then forgets it', () => {
    const { port, writes } = recordingPort();
    const store = createOffsetStore(port);
    store.update(q0, 8);
    store.remove$(q0).subscribe();
    expect(writes).toEqual(['0:8']);
    expect(store.readMemory(q0)).toBeUndefined();
  });

  it('stops persisting on unsubscribe, a write in flight included', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold<undefined>('---(x|)');
      const store = createOffsetStore(recordingPort(() => slow).port, { firstDelayMs: 1 });
      store.update(q0, 1);
      expectObservable(store.persistLoop$(), '^--!').toBe('');
      expectSubscriptions(slow.subscriptions).toBe('-^-!');
    });
  });
});
