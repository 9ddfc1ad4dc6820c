import { type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { MessageQueue } from '../../../src/client/queue-selector.js';
import { type RebalancePorts, rebalance$ } from '../../../src/client/rebalance/rebalance.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

const q = (queueId: number, brokerName = 'b'): MessageQueue => ({ topic: 'T', brokerName, queueId });
const four = [q(3), q(1), q(0), q(2)];

/** Answers each call with the next list (the last one repeats). */
const sequence = <T>(answers: readonly T[]): (() => Observable<T>) => {
  let i = 0;
  return () => of(answers[Math.min(i++, answers.length - 1)]!);
};

const ports = (
  ids: readonly (readonly string[])[],
  queues: readonly MessageQueue[] = four,
): RebalancePorts => {
  const nextIds = sequence(ids);
  return { clientIds$: () => nextIds(), queues$: () => of(queues) };
};

const options = { group: 'g', topic: 'T', clientId: 'a' };

describe('rebalance$', () => {
  it('assigns at start, then stays quiet at the 20 s tick while the assignment is the same', () => {
    newScheduler().run(({ expectObservable }) => {
      const out$ = rebalance$(ports([['a', 'b']]), options);
      expectObservable(out$, '^ 45s !').toBe('a', {
        a: { queues: [q(0), q(1)], added: [q(0), q(1)], removed: [] },
      });
    });
  });

  it('reports queues removed at the 20 s tick when a consumer joins', () => {
    newScheduler().run(({ expectObservable }) => {
      const out$ = rebalance$(ports([['a'], ['b', 'a']]), options);
      expectObservable(out$, '^ 45s !').toBe('a 19999ms b', {
        a: {
          queues: four.slice().sort((x, y) => x.queueId - y.queueId),
          added: [q(0), q(1), q(2), q(3)],
          removed: [],
        },
        b: { queues: [q(0), q(1)], added: [], removed: [q(2), q(3)] },
      });
    });
  });

  it('rebalances at once on notify', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const notify$ = hot('5s n');
      const out$ = rebalance$(ports([['a'], ['a', 'b']]), { ...options, notify$ });
      expectObservable(out$, '^ 10s !').toBe('a 4999ms b', {
        a: { queues: [q(0), q(1), q(2), q(3)], added: [q(0), q(1), q(2), q(3)], removed: [] },
        b: { queues: [q(0), q(1)], added: [], removed: [q(2), q(3)] },
      });
    });
  });

  it('never overlaps runs: a notify during a run starts one more run after it', () => {
    let calls = 0;
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const notify$ = hot('-nn');
      const slow: RebalancePorts = {
        clientIds$: () => {
          calls++;
          return cold('---(x|)', { x: calls === 1 ? ['a'] : ['a', 'b'] });
        },
        queues$: () => of(four),
      };
      const out$ = rebalance$(slow, { ...options, notify$ });
      expectObservable(out$, '^ 10s !').toBe('---a--b', {
        a: { queues: [q(0), q(1), q(2), q(3)], added: [q(0), q(1), q(2), q(3)], removed: [] },
        b: { queues: [q(0), q(1)], added: [], removed: [q(2), q(3)] },
      });
    });
    expect(calls).toBe(2);
  });

  it('skips a failed run and tries again at the next tick', () => {
    const errors: unknown[] = [];
    newScheduler().run(({ cold, expectObservable }) => {
      let calls = 0;
      const flaky: RebalancePorts = {
        clientIds$: () => (++calls === 1 ? cold('-#', {}, new Error('down')) : of(['a'])),
        queues$: () => of([q(0)]),
      };
      const out$ = rebalance$(flaky, { ...options, onError: (e) => errors.push(e) });
      expectObservable(out$, '^ 25s !').toBe('20s a', { a: { queues: [q(0)], added: [q(0)], removed: [] } });
    });
    expect(errors).toEqual([new Error('down')]);
  });

  it('takes every queue when broadcasting, without asking for the members', () => {
    newScheduler().run(({ expectObservable }) => {
      const noMembers: RebalancePorts = {
        clientIds$: () => {
          throw new Error('not asked');
        },
        queues$: () => of([q(1), q(0, 'a')]),
      };
      const out$ = rebalance$(noMembers, { ...options, broadcasting: true });
      expectObservable(out$, '^ 1s !').toBe('a', {
        a: { queues: [q(0, 'a'), q(1)], added: [q(0, 'a'), q(1)], removed: [] },
      });
    });
  });

  it('stops ticking and the run in progress on unsubscribe', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const members = cold('---(x|)', { x: ['a'] });
      const out$ = rebalance$({ clientIds$: () => members, queues$: () => of(four) }, options);
      expectObservable(out$, '^-!').toBe('');
      expectSubscriptions(members.subscriptions).toBe('^-!');
    });
  });
});
