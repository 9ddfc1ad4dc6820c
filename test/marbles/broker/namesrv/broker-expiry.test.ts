import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { brokerExpiry$ } from '../../../../src/broker/namesrv/broker-expiry.js';
import { RouteInfoManager } from '../../../../src/broker/namesrv/route-info.js';
import { master } from '../../../unit/broker/namesrv/route-fixtures.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('brokerExpiry$', () => {
  it('scans first after 5 s, then every 10 s, dropping brokers silent for over 120 s', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const routes = new RouteInfoManager();
      routes.registerBroker(master(), 0);
      routes.registerBroker(master({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911' }), 0);
      // broker-b keeps registering until 100 s, so it outlives broker-a by 100 s
      for (const at of [30_000, 60_000, 100_000]) {
        scheduler.schedule(() => {
          routes.registerBroker(
            master({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911' }),
            scheduler.now(),
          );
        }, at);
      }
      const dropped$ = brokerExpiry$(routes, { scheduler }).pipe(map((b) => b.brokerName));
      expectObservable(dropped$, '^ 300s !').toBe('125s a 99999ms b', { a: 'broker-a', b: 'broker-b' });
    });
  });

  it('scans nothing and stops when unsubscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const routes = new RouteInfoManager();
      routes.registerBroker(master(), 0);
      expectObservable(brokerExpiry$(routes, { scheduler }), '^ 124s !').toBe('');
    });
  });

  it('honours custom timings', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const routes = new RouteInfoManager();
      routes.registerBroker(master(), 0);
      const dropped$ = brokerExpiry$(routes, { scheduler, initialDelayMs: 1, periodMs: 2, expiryMs: 4 }).pipe(
        map((b) => b.brokerAddr),
      );
      expectObservable(dropped$, '^ 20ms !').toBe('-----a', { a: '10.0.0.1:10911' });
    });
  });
});
