import { describe, expect, it } from 'vitest';
import { consumeInOrder } from '../../../src/operators/consume-in-order.js';
import { MessageFactory, acked, retried } from '../../../src/testing/message-factory.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

describe('consumeInOrder', () => {
  it('handles one queue in order while another queue runs beside it', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const values = {
        a: f.message('a', { queueId: 0 }),
        b: f.message('b', { queueId: 0 }),
        c: f.message('c', { queueId: 1 }),
      };
      const source = cold('abc|', values);
      source.pipe(consumeInOrder(() => cold('---|'))).subscribe();
      // b waits for a (same queue); c, on queue 1, starts at once
      expectObservable(f.settlements$).toBe('---a-cb', { a: acked('a'), b: acked('b'), c: acked('c') });
    });
  });

  it('holds the queue while a failing message backs off, then moves on once it is handed back', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const failing = cold('-#');
      const ok = cold('-|');
      const values = { a: f.message('a'), b: f.message('b'), c: f.message('c', { queueId: 1 }) };
      const settled$ = cold('ab-c|', values).pipe(
        consumeInOrder((m) => (m.msgId === 'a' ? failing : ok), {
          backoff: { maxRetries: 2, initialDelayMs: 1 },
        }),
      );
      // a: 0-1 fails, wait 1, 2-3 fails, wait 2, 5-6 fails -> retried at 6; b then 6-7; c is not held
      expectObservable(f.settlements$).toBe('----c-ra', { r: retried('a'), a: acked('b'), c: acked('c') });
      expectObservable(settled$).toBe('----c-r(b|)', {
        c: { outcome: 'ack', message: values.c },
        r: { outcome: 'retry', message: values.a, error: 'error' },
        b: { outcome: 'ack', message: values.b },
      });
      expectSubscriptions(failing.subscriptions).toBe(['^!', '--^!', '-----^!']);
    });
  });

  it('passes a source error on and tears down the running handlers', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const handler = cold('----|');
      const values = { a: f.message('a'), c: f.message('c', { queueId: 1 }) };
      expectObservable(cold('ac#', values).pipe(consumeInOrder(() => handler))).toBe('--#');
      expectSubscriptions(handler.subscriptions).toBe(['^-!', '-^!']);
    });
  });

  it('tears down every queue on unsubscribe and settles nothing', () => {
    const f = new MessageFactory();
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const handler = cold('----|');
      const source = cold('ac---', { a: f.message('a'), c: f.message('c', { queueId: 1 }) });
      expectObservable(source.pipe(consumeInOrder(() => handler)), '^--!').toBe('---');
      expectSubscriptions(handler.subscriptions).toBe(['^--!', '-^-!']);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(f.settlements).toEqual([]);
  });
});
