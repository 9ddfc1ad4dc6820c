// A marble test of a consumer pipeline in virtual time: no broker, no waiting. Run it with
// `npx vitest run examples/consumer-pipeline.test.ts`. In your code: from 'rxrocket/operators' and 'rxrocket/testing'.
import { type Observable, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect, it } from 'vitest';
import type { ConsumerMessage } from '../src/client/index.js';
import { type Settled, ackOnSuccess, decodeBody } from '../src/operators/index.js';
import { MessageFactory, acked, retried } from '../src/testing/index.js';

interface Order {
  readonly id: number;
}

/** The pipeline under test: decode each order, handle it, retry a failure once after 100 ms, then ack or hand back. */
const processOrders =
  (
    handle: (order: Order) => Observable<unknown>,
  ): OperatorFunction<ConsumerMessage, Settled<ConsumerMessage>> =>
  (messages$) =>
    messages$.pipe(
      decodeBody<Order>(),
      ackOnSuccess((m) => handle(m.value), { backoff: { maxRetries: 1, initialDelayMs: 100 } }),
    );

it('acks the orders it handles and hands back the one that keeps failing', () => {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(
    ({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const messages$ = cold('a-b|', {
        a: f.message('a', { body: { id: 1 } }),
        b: f.message('b', { body: { id: 2 } }),
      });
      messages$.pipe(processOrders((order) => (order.id === 2 ? cold('-#') : cold('--|')))).subscribe();
      // a: handled 0-2; b: fails at 3, waits 100 ms, fails again at 104 and is handed back
      expectObservable(f.settlements$).toBe('--a 101ms r', { a: acked('a'), r: retried('b') });
    },
  );
});

// The README's example, word for word, so that it cannot rot.
it('acks what it handles and hands back what keeps failing', () => {
  new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
    const f = new MessageFactory();
    const handle = (id: string) => (id === 'b' ? cold('-#') : cold('--|'));
    const backoff = { maxRetries: 1, initialDelayMs: 100 };
    cold('a-b|', f.messages('a', 'b'))
      .pipe(ackOnSuccess((m) => handle(m.msgId), { backoff }))
      .subscribe();
    // a: handled 0-2; b: fails at 3, waits 100 ms, fails again at 104 and is handed back
    expectObservable(f.settlements$).toBe('--a 101ms r', { a: acked('a'), r: retried('b') });
  });
});
