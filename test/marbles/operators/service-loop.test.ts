import { TestScheduler } from 'rxjs/testing';
import { map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { serviceLoop } from '../../../src/operators/service-loop.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('serviceLoop', () => {
  it('runs on every period tick', () => {
    newScheduler().run(({ expectObservable }) => {
      let n = 0;
      const loop$ = serviceLoop(() => timer(0).pipe(map(() => ++n)), { periodMs: 3 });
      expectObservable(loop$, '^--------!').toBe('---a--b--', { a: 1, b: 2 });
    });
  });

  it('remembers one wakeup that arrives while a run is busy', () => {
    newScheduler().run(({ hot, expectObservable }) => {
      const wakeup$ = hot('-w-ww-------');
      let n = 0;
      const loop$ = serviceLoop(() => timer(4).pipe(map(() => ++n)), { wakeup$ });
      // first run 1..5, wakeups at 3 and 4 collapse into one more run 5..9
      expectObservable(loop$, '^-----------!').toBe('-----a---b--', { a: 1, b: 2 });
    });
  });

  it('stops the run in progress on unsubscribe', () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const work = cold('----x|');
      const loop$ = serviceLoop(() => work, { wakeup$: hot('w') });
      expectObservable(loop$, '^-!').toBe('---');
      expectSubscriptions(work.subscriptions).toBe('^-!');
    });
  });

  it('runs work that completes synchronously, tick after tick', () => {
    newScheduler().run(({ expectObservable }) => {
      let n = 0;
      const loop$ = serviceLoop(() => [++n], { periodMs: 3 });
      expectObservable(loop$, '^-------!').toBe('---a--b-', { a: 1, b: 2 });
    });
  });

  it('passes an error from work downstream', () => {
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const loop$ = serviceLoop(() => cold('-#'), { wakeup$: hot('w') });
      expectObservable(loop$).toBe('-#');
    });
  });
});
