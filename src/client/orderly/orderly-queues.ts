import { EMPTY, type Observable, defer, ignoreElements, map, mergeMap } from 'rxjs';
import type { ConsumerMessage } from '../consumer-message.js';
import type { MessageQueue } from '../queue-selector.js';
import { queueKey } from '../rebalance/rebalance.js';
import { type OrderlyGate, type OrderlyGateOptions, createOrderlyGate } from './orderly-gate.js';
import type { QueueLocks } from './queue-locks.js';

/** What consumeAssigned$ does differently for an orderly subscription, queue by queue. */
export interface OrderlyQueues {
  /** Completes once the queue may be pulled: its broker lock is held (clustering), at once otherwise. */
  ready$(queue: MessageQueue): Observable<unknown>;
  /** One window's messages as the consume lock lets them out: a batch at a time, in offset order. */
  consume(queue: MessageQueue, messages$: Observable<ConsumerMessage>): Observable<ConsumerMessage>;
  /** Before a revoked queue is dropped: waits for its batch in the handler, then lets no other one start. */
  release$(queue: MessageQueue): Observable<never>;
  /** After a revoked queue's offset is written: its broker lock goes (clustering). */
  released$(queue: MessageQueue): Observable<never>;
}

export function createOrderlyQueues(
  gateOptions: Omit<OrderlyGateOptions, 'ready$'>,
  locks?: QueueLocks,
): OrderlyQueues {
  const gates = new Map<string, OrderlyGate>();
  const held$ = (queue: MessageQueue): Observable<true> =>
    locks === undefined
      ? defer(() => [true as const])
      : locks.held$(queue).pipe(mergeMap((h) => (h ? [h] : [])));
  return {
    ready$: (queue) => held$(queue),
    consume: (queue, messages$) =>
      defer(() => {
        const gate = createOrderlyGate({ ...gateOptions, ready$: () => held$(queue) });
        gates.set(queueKey(queue), gate);
        return gate.batches$(messages$).pipe(mergeMap((batch) => batch));
      }),
    release$: (queue) =>
      defer(() => {
        const gate = gates.get(queueKey(queue));
        gates.delete(queueKey(queue));
        return gate === undefined ? EMPTY : gate.close$().pipe(map(() => undefined));
      }).pipe(ignoreElements()),
    released$: (queue) => (locks === undefined ? EMPTY : locks.unlock$([queue]).pipe(ignoreElements())),
  };
}
