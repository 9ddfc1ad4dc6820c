import { type OperatorFunction, catchError, defer, endWith, ignoreElements, mergeMap, of, tap } from 'rxjs';
import type { Logger } from '../logger.js';
import type { ConsumerMessage } from './consumer-message.js';
import type { ConsumeHandler, ConsumeResult } from './push-consumer-api.js';

/**
 * consume$ for a concurrent subscription (MessageListenerConcurrently): up to `concurrency` messages in the
 * handler at once; each is acked when its handler succeeds and retried on its own when it fails.
 */
export function consumeConcurrently(
  handler: ConsumeHandler,
  concurrency: number,
  logger: Logger,
): OperatorFunction<ConsumerMessage, ConsumeResult> {
  return mergeMap(
    (message) =>
      defer(() => handler(message)).pipe(
        ignoreElements(),
        endWith<ConsumeResult>({ message, status: 'CONSUME_SUCCESS' }),
        tap(() => {
          message.ack();
        }),
        catchError((error: unknown) => {
          message.retry();
          logger.debug({ msgId: message.msgId, error: String(error) }, 'handler failed; retried');
          return of<ConsumeResult>({ message, status: 'RECONSUME_LATER', error });
        }),
      ),
    concurrency,
  );
}
