import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { clientHousekeeping$ } from '../../../src/broker/client-housekeeping.js';
import { ConsumerManager } from '../../../src/broker/managers/consumer-manager.js';
import { ProducerManager } from '../../../src/broker/managers/producer-manager.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeChannel } from '../../helpers/fake-channel.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('clientHousekeeping$', () => {
  it('forgets a producer the moment its connection closes', () => {
    const producers = new ProducerManager();
    const consumers = new ConsumerManager();
    const channel = new FakeChannel();
    producers.register('pg', 'client-1', channel, 0);
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const channels$ = cold('c', { c: channel });
      const housekeeping$ = clientHousekeeping$({
        channels$,
        producers,
        consumers,
        logger: silentLogger,
        scheduler,
      });
      cold('--x').subscribe(() => {
        channel.closeNow();
      });
      expectObservable(housekeeping$, '^----!').toBe('');
    });
    expect(producers.connections('pg')).toEqual([]);
  });

  it('drops clients silent for two minutes at the next 10 s scan', () => {
    const producers = new ProducerManager();
    const consumers = new ConsumerManager();
    const quiet = new FakeChannel();
    const chatty = new FakeChannel();
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      producers.register('pg', 'quiet', quiet, 0);
      producers.register('pg', 'chatty', chatty, 0);
      cold('110s x').subscribe(() => {
        producers.register('pg', 'chatty', chatty, scheduler.now());
      });
      const housekeeping$ = clientHousekeeping$({
        channels$: cold(''),
        producers,
        consumers,
        logger: silentLogger,
        scheduler,
      });
      expectObservable(housekeeping$, '^ 130s !').toBe('');
    });
    expect(producers.connections('pg').map((c) => c.clientId)).toEqual(['chatty']);
  });
});
