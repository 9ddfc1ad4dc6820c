import { NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type ProcessQueue, createProcessQueue } from '../../../src/client/process-queue.js';
import {
  type PullLoopOptions,
  type PullRequest,
  type PullResult,
  type PullStatus,
  pullLoop$,
} from '../../../src/client/pull-loop.js';

const queue = { topic: 'T', brokerName: 'b', queueId: 0 };
const result = (
  status: PullStatus,
  nextBeginOffset: number,
  messages: number[] = [],
): PullResult<number> => ({
  status,
  nextBeginOffset,
  minOffset: 0,
  maxOffset: 100,
  messages,
});

interface Harness {
  readonly requests: PullRequest[];
  /** Virtual time of each request. */
  readonly at: number[];
  loop$(pq: ProcessQueue, extra?: Partial<PullLoopOptions<number>>): Observable<number>;
}

/** A pull port answering the n-th request with answers[n] (never once they run out), recording requests. */
const harness = (scheduler: TestScheduler, answers: readonly Observable<PullResult<number>>[]): Harness => {
  const requests: PullRequest[] = [];
  const at: number[] = [];
  return {
    requests,
    at,
    loop$: (pq, extra = {}) =>
      pullLoop$({
        queue,
        processQueue: pq,
        startOffset: 10,
        pull$: (request) => {
          requests.push(request);
          at.push(scheduler.now());
          return answers[requests.length - 1] ?? NEVER;
        },
        inFlight: (offset) => ({ queueOffset: offset, size: 1 }),
        scheduler,
        ...extra,
      }),
  };
};

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('pullLoop$', () => {
  it('emits what it pulls, adds it to the window, and pulls on from the next begin offset', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue();
    let h: Harness | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      h = harness(scheduler, [
        cold('-(r|)', { r: result('FOUND', 12, [10, 11]) }),
        cold('-----(r|)', { r: result('FOUND', 13, [12]) }),
      ]);
      expectObservable(h.loop$(pq), '^ 9ms !').toBe('-(ab)-c', { a: 10, b: 11, c: 12 });
    });
    expect(h?.requests.map((r) => [r.queueOffset, r.commitOffset])).toEqual([
      [10, -1],
      [12, 10],
      [13, 10],
    ]);
    expect(h?.at).toEqual([0, 1, 6]);
    expect(pq.stats().count).toBe(3);
  });

  it('waits while the window is full and pulls again as soon as an ack makes room', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue({ maxMessages: 2 });
    let h: Harness | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      h = harness(scheduler, [
        cold('-(r|)', { r: result('FOUND', 12, [10, 11]) }),
        cold('-(r|)', { r: result('FOUND', 13, [12]) }),
      ]);
      hot('--------a').subscribe(() => pq.remove(10));
      expectObservable(h.loop$(pq), '^ 20ms !').toBe('-(ab)----c', { a: 10, b: 11, c: 12 });
    });
    expect(h?.at).toEqual([0, 8]);
    expect(h?.requests[1]?.commitOffset).toBe(11);
  });

  it('moves on past offsets the broker had nothing (or nothing matching) for', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue();
    let h: Harness | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      h = harness(scheduler, [
        cold('-(r|)', { r: result('NO_NEW_MSG', 10) }),
        cold('-(r|)', { r: result('NO_MATCHED_MSG', 15) }),
        cold('-(r|)', { r: result('FOUND', 16, []) }),
      ]);
      expectObservable(h.loop$(pq), '^ 9ms !').toBe('');
    });
    expect(h?.requests.map((r) => r.queueOffset)).toEqual([10, 10, 15, 16]);
    expect(pq.committedOffset()).toBe(16);
  });

  it('backs off 3 s after a failed pull and retries the same offset', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue();
    const errors: unknown[] = [];
    let h: Harness | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      h = harness(scheduler, [
        cold('-#', {}, new Error('timeout')),
        cold('-(r|)', { r: result('FOUND', 11, [10]) }),
      ]);
      expectObservable(h.loop$(pq, { onError: (e) => errors.push(e) }), '^ 5s !').toBe('3002ms a', { a: 10 });
    });
    expect(h?.at).toEqual([0, 3001, 3002]);
    expect(h?.requests.map((r) => r.queueOffset)).toEqual([10, 10, 11]);
    expect(errors).toEqual([new Error('timeout')]);
  });

  it('drops the window, reports the new offset and stops when the broker says the offset moved', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue();
    const moved: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const h = harness(scheduler, [cold('-(r|)', { r: result('OFFSET_ILLEGAL', 42) })]);
      expectObservable(h.loop$(pq, { onOffsetMoved: (o) => moved.push(o) })).toBe('-|');
    });
    expect(pq.dropped).toBe(true);
    expect(moved).toEqual([42]);
  });

  it('discards a pull answered after the queue was revoked, and stops', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const h = harness(scheduler, [cold('---(r|)', { r: result('FOUND', 11, [10]) })]);
      hot('-d').subscribe(() => pq.drop());
      expectObservable(h.loop$(pq)).toBe('---|');
    });
    expect(pq.stats().count).toBe(0);
  });

  it('stops a waiting loop when the queue is revoked', () => {
    const scheduler = newScheduler();
    const pq = createProcessQueue({ maxMessages: 1 });
    scheduler.run(({ cold, hot, expectObservable }) => {
      const h = harness(scheduler, [cold('-(r|)', { r: result('FOUND', 11, [10]) })]);
      hot('----d').subscribe(() => pq.drop());
      expectObservable(h.loop$(pq)).toBe('-a--|', { a: 10 });
    });
  });

  it('cancels the pull in flight on unsubscribe', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pending = cold<PullResult<number>>('-----(r|)', { r: result('FOUND', 11, [10]) });
      const loop$ = pullLoop$({
        queue,
        processQueue: createProcessQueue(),
        startOffset: 0,
        pull$: () => pending,
        inFlight: (offset) => ({ queueOffset: offset, size: 1 }),
      });
      expectObservable(loop$, '^--!').toBe('');
      expectSubscriptions(pending.subscriptions).toBe('^--!');
    });
  });

  it('cancels the back-off timer on unsubscribe', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<PullResult<number>>('#');
      const loop$ = pullLoop$({
        queue,
        processQueue: createProcessQueue(),
        startOffset: 0,
        pull$: () => failing,
        inFlight: (offset) => ({ queueOffset: offset, size: 1 }),
      });
      expectObservable(loop$, '^ 5s !').toBe('');
      expectSubscriptions(failing.subscriptions).toBe(['(^!)', '3000ms (^!)']);
    });
  });
});
