import {
  EMPTY,
  type Observable,
  type OperatorFunction,
  catchError,
  concat,
  defer,
  ignoreElements,
  mergeMap,
} from 'rxjs';
import type { Logger } from '../../logger.js';
import type { ConsumerMessage } from '../consumer-message.js';
import type { ConsumeHandler, ConsumeResult } from '../push-consumer.js';
import { batchOpenedBy } from './orderly-gate.js';

/**
 * consume$ for an orderly subscription (MessageListenerOrderly): the handler sees a batch's messages one after
 * the other; the batch is acked when all succeed and retried as a whole when one fails, like RocketMQ's
 * SUSPEND_CURRENT_QUEUE_A_MOMENT. The gate hands out a queue's next batch only after this one settles, so
 * `concurrency` bounds the queues in the handler at once, never two batches of one queue.
 */
export function consumeOrderly(
  handler: ConsumeHandler,
  concurrency: number,
  logger: Logger,
): OperatorFunction<ConsumerMessage, ConsumeResult> {
  const run$ = (batch: readonly ConsumerMessage[]): Observable<ConsumeResult> =>
    concat(
      concat(...batch.map((m) => defer(() => handler(m)).pipe(ignoreElements()))),
      defer(() => {
        for (const m of batch) m.ack();
        return batch.map((message): ConsumeResult => ({ message, status: 'CONSUME_SUCCESS' }));
      }),
    ).pipe(
      catchError((error: unknown) => {
        for (const m of batch) m.retry();
        logger.debug(
          { queue: batch[0]?.queueKey, queueOffset: batch[0]?.queueOffset, error: String(error) },
          'orderly batch failed; its queue is suspended',
        );
        return batch.map((message): ConsumeResult => ({ message, status: 'RECONSUME_LATER', error }));
      }),
    );
  return (messages$) =>
    messages$.pipe(
      mergeMap((m) => {
        const batch = batchOpenedBy(m);
        return batch === undefined ? EMPTY : [batch];
      }),
      mergeMap(run$, concurrency),
    );
}
