import { defer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryBackoff } from '../../../src/operators/retry-backoff.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

describe('retryBackoff', () => {
  it('multiplies the wait by the factor up to the maximum', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 500, 500]);
  });

  it('resubscribes after growing waits and completes with the attempt that succeeds', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      let attempt = 0;
      const failing = cold('-#');
      const ok = cold('-x|');
      const retried$ = defer(() => (++attempt <= 2 ? failing : ok)).pipe(
        retryBackoff({ initialDelayMs: 2, factor: 3 }),
      );
      // 0-1 fails, wait 2, 3-4 fails, wait 6, 10-12 succeeds
      expectObservable(retried$).toBe('-----------x|');
      expectSubscriptions(failing.subscriptions).toBe(['^!', '---^!']);
      expectSubscriptions(ok.subscriptions).toBe('----------^-!');
    });
  });

  it('passes the last error on once the retries run out', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#', undefined, new Error('last'));
      expectObservable(failing.pipe(retryBackoff({ maxRetries: 1, initialDelayMs: 1 }))).toBe(
        '---#',
        undefined,
        new Error('last'),
      );
      expectSubscriptions(failing.subscriptions).toBe(['^!', '--^!']);
    });
  });

  it('does not retry an error shouldRetry refuses', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('a#');
      expectObservable(failing.pipe(retryBackoff({ shouldRetry: () => false }))).toBe('a#');
      expectSubscriptions(failing.subscriptions).toBe('^!');
    });
  });

  it('stops waiting when unsubscribed during a backoff', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#');
      expectObservable(failing.pipe(retryBackoff({ initialDelayMs: 5 })), '^--!').toBe('---');
      expectSubscriptions(failing.subscriptions).toBe('^!');
    });
  });

  it('times its waits on the scheduler it is given', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      let attempt = 0;
      const source = defer(() => (++attempt === 1 ? cold('#') : cold('(x|)')));
      expectObservable(source.pipe(retryBackoff({ initialDelayMs: 7, scheduler }))).toBe('-------(x|)');
    });
  });
});
