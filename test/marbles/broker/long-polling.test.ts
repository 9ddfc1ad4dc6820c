import { NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type Arrival, type ParkedPull, parkPull$ } from '../../../src/broker/long-polling.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

const arrival = (over: Partial<Arrival> = {}): Arrival => ({
  topic: 'Orders',
  queueId: 1,
  queueOffset: 5,
  tagsCode: 7,
  ...over,
});

const pull = (over: Partial<ParkedPull> = {}): ParkedPull => ({
  topic: 'Orders',
  queueId: 1,
  offset: 5,
  timeoutMs: 15_000,
  matchesTagsCode: (code) => code === 7,
  closed$: NEVER,
  ...over,
});

describe('parkPull$', () => {
  it('wakes on the first arrival for its queue, at or past its offset, whose tag hash matches', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const arrivals$ = hot('-a-b-c-d-e', {
        a: arrival({ topic: 'Other' }),
        b: arrival({ queueId: 2 }),
        c: arrival({ queueOffset: 4 }),
        d: arrival({ tagsCode: 8 }),
        e: arrival(),
      });
      const woken$ = parkPull$({ arrivals$, maxOffsetInQueue: () => 5, scheduler }, pull());
      expectObservable(woken$).toBe('---------(e|)', { e: 'arrival' });
      expectSubscriptions(arrivals$.subscriptions).toBe('^--------!');
    });
  });

  it('re-checks the queue every 5 s without a tag check and wakes once it has grown', () => {
    const scheduler = newScheduler();
    let maxOffset = 5;
    scheduler.run(({ cold, expectObservable }) => {
      cold('7s x').subscribe(() => {
        maxOffset = 6;
      });
      const woken$ = parkPull$({ arrivals$: NEVER, maxOffsetInQueue: () => maxOffset, scheduler }, pull());
      expectObservable(woken$).toBe('10s (r|)', { r: 'recheck' });
    });
  });

  it('checks once at once, for a message that arrived before it was parked', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const woken$ = parkPull$({ arrivals$: NEVER, maxOffsetInQueue: () => 6, scheduler }, pull());
      expectObservable(woken$).toBe('(r|)', { r: 'recheck' });
    });
  });

  it("answers at the client's suspend timeout when nothing came", () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const woken$ = parkPull$(
        { arrivals$: NEVER, maxOffsetInQueue: () => 5, scheduler },
        pull({ timeoutMs: 15_000 }),
      );
      expectObservable(woken$).toBe('15s (t|)', { t: 'timeout' });
    });
  });

  it('is dropped without an answer when its channel closes, and stops listening', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const arrivals$ = hot('----------a', { a: arrival() });
      const closed$ = hot('---c');
      const woken$ = parkPull$({ arrivals$, maxOffsetInQueue: () => 5, scheduler }, pull({ closed$ }));
      expectObservable(woken$).toBe('---|');
      expectSubscriptions(arrivals$.subscriptions).toBe('^--!');
    });
  });

  it('does not break unsubscription chains', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const arrivals$ = hot('--------a', { a: arrival() });
      const woken$ = parkPull$({ arrivals$, maxOffsetInQueue: () => 5, scheduler }, pull());
      expectObservable(woken$, '^---!').toBe('');
      expectSubscriptions(arrivals$.subscriptions).toBe('^---!');
    });
  });
});
