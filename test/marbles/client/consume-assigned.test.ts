import { NEVER, type Observable, map, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type ConsumeAssignedDeps, consumeAssigned$ } from '../../../src/client/consume-assigned.js';
import type { ConsumerMessage } from '../../../src/client/consumer-message.js';
import { createOffsetStore } from '../../../src/client/offset-store.js';
import type { PullRequest, PullResult } from '../../../src/client/pull-loop.js';
import type { Assignment } from '../../../src/client/rebalance/rebalance.js';
import type { MessageExt } from '../../../src/protocol/message.js';
import { extAt } from '../../fixtures/client/records.js';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
const assign: Assignment = { queues: [q0], added: [q0], removed: [] };
const revoke: Assignment = { queues: [], added: [], removed: [q0] };

const ext = (queueOffset: number): MessageExt => extAt(queueOffset, queueOffset * 100);
const found = (next: number, offsets: number[]): PullResult<MessageExt> => ({
  status: 'FOUND',
  nextBeginOffset: next,
  minOffset: 0,
  maxOffset: 100,
  messages: offsets.map(ext),
});

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** Deps whose n-th pull is answered by answers[n] (never after), recording requests and offset writes. */
const setup = (
  answers: Observable<PullResult<MessageExt>>[],
  sendBack$: ConsumeAssignedDeps['sendBack$'] | undefined,
) => {
  const requests: PullRequest[] = [];
  const writes: number[] = [];
  const offsets = createOffsetStore({
    read$: () => of(undefined),
    write$: (_q, offset) => {
      writes.push(offset);
      return of(undefined);
    },
  });
  const deps: ConsumeAssignedDeps = {
    startOffset$: () => of(5),
    pull$: (request) => {
      requests.push(request);
      return answers[requests.length - 1] ?? NEVER;
    },
    offsets,
    ...(sendBack$ === undefined ? {} : { sendBack$ }),
  };
  return { deps, requests, writes, offsets };
};

describe('consumeAssigned$', () => {
  it('pulls an assigned queue from its start offset; acks move its committed offset', () => {
    const seen: ConsumerMessage[] = [];
    let s: ReturnType<typeof setup> | undefined;
    newScheduler().run(({ cold, hot, expectObservable }) => {
      s = setup([cold('-(r|)', { r: found(7, [5, 6]) })], () => of(undefined));
      const out$ = consumeAssigned$(hot('a', { a: assign }), s.deps).pipe(
        map((m) => {
          seen.push(m);
          return m.queueOffset;
        }),
      );
      hot('---a').subscribe(() => seen[1]?.ack());
      hot('-----a').subscribe(() => seen[0]?.ack());
      expectObservable(out$, '^ 9ms !').toBe('-(ab)', { a: 5, b: 6 });
    });
    expect(s?.requests.map((r) => r.queueOffset)).toEqual([5, 7]);
    expect(s?.offsets.readMemory(q0)).toBe(7);
    expect(seen[0]?.queueKey).toBe('b@0');
  });

  it('stops a revoked queue’s loop, its pull in flight included, and writes its offset one last time', () => {
    let s: ReturnType<typeof setup> | undefined;
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const first = cold<PullResult<MessageExt>>('-(r|)', { r: found(6, [5]) });
      const pending = cold<PullResult<MessageExt>>('-------');
      s = setup([first, pending], () => of(undefined));
      const seen: ConsumerMessage[] = [];
      hot('--a').subscribe(() => seen[0]?.ack());
      const out$ = consumeAssigned$(hot('a---b', { a: assign, b: revoke }), s.deps).pipe(
        map((m) => {
          seen.push(m);
          return m.queueOffset;
        }),
      );
      expectObservable(out$, '^ 9ms !').toBe('-a', { a: 5 });
      expectSubscriptions(pending.subscriptions).toBe('-^--!');
    });
    expect(s?.writes).toEqual([6]);
    expect(s?.offsets.readMemory(q0)).toBeUndefined();
  });

  it('retry: the window lets go of a message only once the broker took it back', () => {
    let s: ReturnType<typeof setup> | undefined;
    const errors: unknown[] = [];
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const seen: ConsumerMessage[] = [];
      s = setup([cold('-(r|)', { r: found(7, [5, 6]) })], (m) =>
        m.queueOffset === 5 ? throwError(() => new Error('busy')) : of(undefined),
      );
      s.deps = { ...s.deps, onError: (e) => errors.push(e) };
      hot('---a').subscribe(() => {
        seen[0]?.retry();
        seen[1]?.retry({ delayLevel: 2 });
      });
      const out$ = consumeAssigned$(hot('a', { a: assign }), s.deps).pipe(
        map((m) => {
          seen.push(m);
          return m.queueOffset;
        }),
      );
      expectObservable(out$, '^ 9ms !').toBe('-(ab)', { a: 5, b: 6 });
    });
    expect(errors).toEqual([new Error('busy')]);
    expect(s?.offsets.readMemory(q0)).toBe(5);
  });

  it('hands a message whose send-back failed out again 5 s later, one reconsume time more', () => {
    let s: ReturnType<typeof setup> | undefined;
    const seen: ConsumerMessage[] = [];
    newScheduler().run(({ cold, hot, expectObservable }) => {
      let sendBacks = 0;
      s = setup([cold('-(r|)', { r: found(6, [5]) })], () =>
        sendBacks++ === 0 ? throwError(() => new Error('broker down')) : of(undefined),
      );
      hot('--a').subscribe(() => seen[0]?.retry());
      hot('--- 5s a').subscribe(() => seen[1]?.retry());
      const out$ = consumeAssigned$(hot('a', { a: assign }), s.deps).pipe(
        map((m) => {
          seen.push(m);
          return `${m.queueOffset}/${m.reconsumeTimes}`;
        }),
      );
      expectObservable(out$, '^ 9s !').toBe('-a 5000ms b', { a: '5/0', b: '5/1' });
    });
    expect(seen[1]?.offsetMsgId).toBe(seen[0]?.offsetMsgId);
    expect(seen[1]?.settled).toBe(true);
    expect(s?.offsets.readMemory(q0)).toBe(6);
  });

  it('without a send-back (broadcasting) every retry is a local redelivery', () => {
    const seen: ConsumerMessage[] = [];
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const s = setup([cold('-(r|)', { r: found(6, [5]) })], undefined);
      hot('--a').subscribe(() => seen.at(-1)?.retry());
      hot('--- 5s a').subscribe(() => seen.at(-1)?.retry());
      const out$ = consumeAssigned$(hot('a', { a: assign }), { ...s.deps, redeliverLaterMs: 1000 }).pipe(
        map((m) => {
          seen.push(m);
          return m.reconsumeTimes;
        }),
      );
      expectObservable(out$, '^ 7s !').toBe('-a 1000ms b 5000ms c', { a: 0, b: 1, c: 2 });
    });
  });

  it('starts a fresh window where the broker moved the offset to', () => {
    let s: ReturnType<typeof setup> | undefined;
    newScheduler().run(({ cold, hot, expectObservable }) => {
      s = setup(
        [
          cold('-(r|)', { r: { ...found(20, []), status: 'OFFSET_ILLEGAL' as const } }),
          cold('-(r|)', { r: found(21, [20]) }),
        ],
        () => of(undefined),
      );
      const out$ = consumeAssigned$(hot('a', { a: assign }), s.deps).pipe(map((m) => m.queueOffset));
      expectObservable(out$, '^ 9ms !').toBe('--a', { a: 20 });
    });
    expect(s?.requests.map((r) => r.queueOffset)).toEqual([5, 20, 21]);
  });
});

describe('consumeAssigned$ start offsets', () => {
  it('keeps trying a queue whose start offset could not be read, 3 s apart', () => {
    const errors: unknown[] = [];
    let lookups = 0;
    const scheduler = newScheduler();
    let s: ReturnType<typeof setup> | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      s = setup([cold('-(r|)', { r: found(6, [5]) })], () => of(undefined));
      const deps: ConsumeAssignedDeps = {
        ...s.deps,
        startOffset$: () => (++lookups === 1 ? throwError(() => new Error('no route')) : of(5)),
        onError: (e) => errors.push(e),
        scheduler,
      };
      const out$ = consumeAssigned$(hot('a', { a: assign }), deps).pipe(map((m) => m.queueOffset));
      expectObservable(out$, '^ 5s !').toBe('3001ms a', { a: 5 });
    });
    expect(errors).toEqual([new Error('no route')]);
    expect(lookups).toBe(2);
  });
});
