import { type Observable, defer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { transferStart } from '../../../../src/broker/ha/master-connection.js';
import { backoffDelay, idleTicks$, reconnecting } from '../../../../src/broker/ha/reconnect.js';
import { newScheduler } from '../../../helpers/marble-scheduler.js';

describe('HA reconnect backoff', () => {
  it('doubles the wait from the initial one up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, 200, 5000))).toEqual([
      200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it('reconnects after 2, 4, then 8 frames; a connection that got up starts the count over', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      // Three refusals, then a connection (c) that breaks 2 frames later, then one that stays up.
      const attempts = [cold('#'), cold('#'), cold('#'), cold('-c-#'), cold('-c')];
      const subscribedAt: number[] = [];
      const retries: number[] = [];
      const connection$: Observable<string> = defer(() => {
        subscribedAt.push(scheduler.now());
        return attempts[subscribedAt.length - 1]!;
      }).pipe(
        reconnecting({
          initialMs: 2,
          maxMs: 16,
          scheduler,
          onRetry: (_error, attempt, delayMs) => retries.push(attempt * 100 + delayMs),
        }),
      );
      expectObservable(connection$, '^ 30ms !').toBe('---------------c----c');
      scheduler.flush();
      expect(subscribedAt).toEqual([0, 2, 6, 14, 19]);
      expect(retries).toEqual([102, 204, 308, 102]);
    });
  });
});

describe('HA heartbeat', () => {
  it('ticks every quiet interval, counted from subscription and from the latest report', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const reports = hot('------r');
      expectObservable(idleTicks$(reports, 5, scheduler), '^ 18ms !').toBe('-----a-----b----c', {
        a: 0,
        b: 0,
        c: 1,
      });
    });
  });
});

describe('transferStart', () => {
  it('streams from the slave offset, or from the start of the master last segment for an empty slave', () => {
    expect(transferStart(1234, 5000, 1000)).toBe(1234);
    expect(transferStart(0, 5500, 1000)).toBe(5000);
    expect(transferStart(0, 0, 1000)).toBe(0);
  });
});
