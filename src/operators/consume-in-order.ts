import { type ObservableInput, type OperatorFunction, groupBy, mergeMap } from 'rxjs';
import type { Logger } from '../logger.js';
import { ackOnSuccess } from './ack-on-success.js';
import type { BackoffOptions } from './retry-backoff.js';
import type { Settleable, Settled } from './settleable.js';

export interface ConsumeInOrderOptions {
  /** Retries in place; a message's queue waits meanwhile, as RocketMQ's orderly consumer suspends its queue. */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
}

/**
 * Handles the messages of each queue one at a time in arrival order (concatMap within a queue), queues in
 * parallel: what an orderly stream needs. A failing message is retried with backoff before the next one of
 * its queue starts; once the retries run out it is handed back to the broker and its queue moves on.
 */
export function consumeInOrder<M extends Settleable & { readonly queueKey: string }>(
  handler: (message: M) => ObservableInput<unknown>,
  options: ConsumeInOrderOptions = {},
): OperatorFunction<M, Settled<M>> {
  const settle = ackOnSuccess(handler, { ...options, concurrency: 1 });
  return (source) =>
    source.pipe(
      groupBy((message) => message.queueKey),
      mergeMap((queue$) => queue$.pipe(settle)),
    );
}
