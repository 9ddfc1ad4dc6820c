import { BehaviorSubject, EMPTY, NEVER, type Observable, defer, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { consumeAssigned$ } from '../../../src/client/consume-assigned.js';
import type { ConsumerMessage } from '../../../src/client/consumer-message.js';
import { createOffsetStore } from '../../../src/client/offset-store.js';
import { createOrderlyQueues } from '../../../src/client/orderly/orderly-queues.js';
import type { QueueLocks } from '../../../src/client/orderly/queue-locks.js';
import type { PullResult } from '../../../src/client/pull-loop.js';
import type { Assignment } from '../../../src/client/rebalance/rebalance.js';
import type { MessageExt } from '../../../src/protocol/message.js';
import { extAt } from '../../fixtures/client/records.js';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
const assign: Assignment = { queues: [q0], added: [q0], removed: [] };
const revoke: Assignment = { queues: [], added: [], removed: [q0] };

const found = (next: number, offsets: number[]): PullResult<MessageExt> => ({
  status: 'FOUND',
  nextBeginOffset: next,
  minOffset: 0,
  maxOffset: 100,
  messages: offsets.map((o) => extAt(o, o * 100)),
});

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** A QueueLocks whose q0 lock is `held$`, logging every step as it happens. */
const fakeLocks = (held$: BehaviorSubject<boolean>, log: string[], now: () => number): QueueLocks => ({
  want$: () => EMPTY,
  held$: () => held$,
  held: () => (held$.value ? [q0] : []),
  unlock$: (queues) =>
    defer(() => {
      log.push(`${now()}: unlock ${queues.map((q) => q.queueId).join()}`);
      return EMPTY;
    }),
  renewLoop$: () => NEVER,
});

describe('orderly queues in consumeAssigned$', () => {
  it('pulls only once the broker lock is held, reading the start offset after it', () => {
    const log: string[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const held$ = new BehaviorSubject(false);
      hot('---x').subscribe(() => held$.next(true));
      const offsets = createOffsetStore({ read$: () => of(undefined), write$: () => of(undefined) });
      const out$ = consumeAssigned$(hot('a', { a: assign }), {
        startOffset$: () =>
          defer(() => {
            log.push(`${scheduler.now()}: start offset read`);
            return of(5);
          }),
        pull$: () => cold('-(r|)', { r: found(6, [5]) }),
        offsets,
        orderly: createOrderlyQueues(
          { maxReconsumeTimes: 16, scheduler },
          fakeLocks(held$, log, () => scheduler.now()),
        ),
      }).pipe(map((m) => m.queueOffset));
      expectObservable(out$, '^ 9ms !').toBe('----a', { a: 5 });
    });
    expect(log).toEqual(['3: start offset read']);
  });

  it('a revoked queue waits for its batch in the handler, writes its offset, then unlocks; no batch after', () => {
    const log: string[] = [];
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const held$ = new BehaviorSubject(true);
      const offsets = createOffsetStore({
        read$: () => of(undefined),
        write$: (_q, offset): Observable<void> =>
          defer(() => {
            log.push(`${scheduler.now()}: offset ${offset} written`);
            return of(undefined);
          }),
      });
      const handed: ConsumerMessage[] = [];
      const out$ = consumeAssigned$(hot('a--r', { a: assign, r: revoke }), {
        startOffset$: () => of(5),
        pull$: () => cold('-(r|)', { r: found(7, [5, 6]) }),
        offsets,
        orderly: createOrderlyQueues(
          { maxReconsumeTimes: 16, scheduler },
          fakeLocks(held$, log, () => scheduler.now()),
        ),
      }).pipe(
        map((m) => {
          handed.push(m);
          return m.queueOffset;
        }),
      );
      // 5 is in the handler from 1 ms to 6 ms; the revoke at 3 ms waits for it
      hot('------x').subscribe(() => handed[0]?.ack());
      expectObservable(out$, '^ 19ms !').toBe('-a', { a: 5 });
    });
    expect(log).toEqual(['6: offset 6 written', '6: unlock 0']);
  });
});
