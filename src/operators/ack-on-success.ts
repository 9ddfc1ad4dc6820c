import {
  type ObservableInput,
  type OperatorFunction,
  catchError,
  defer,
  identity,
  ignoreElements,
  mergeMap,
  of,
  endWith,
  tap,
} from 'rxjs';
import { type Logger, silentLogger } from '../logger.js';
import { type BackoffOptions, retryBackoff } from './retry-backoff.js';
import type { Settleable, Settled } from './settleable.js';

export interface AckOnSuccessOptions {
  /** Messages handled at once (1: one after another, in arrival order). */
  readonly concurrency?: number;
  /** Retry the handler in place before handing the message back to the broker. */
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
}

/**
 * Runs `handler` for each message: when its Observable completes the message is acked, when it errors
 * (after the backoff's retries, if any) the message is retried through the broker and the error logged; the
 * stream goes on either way and emits one Settled per message. Unsubscribing stops the running handlers
 * and leaves their messages unsettled, so the consumer never commits past them and they come again.
 */
export function ackOnSuccess<M extends Settleable>(
  handler: (message: M) => ObservableInput<unknown>,
  options: AckOnSuccessOptions = {},
): OperatorFunction<M, Settled<M>> {
  const logger = options.logger ?? silentLogger;
  const withBackoff = options.backoff === undefined ? identity : retryBackoff<unknown>(options.backoff);
  return mergeMap(
    (message: M) =>
      defer(() => handler(message)).pipe(
        withBackoff,
        ignoreElements(),
        endWith<Settled<M>>({ outcome: 'ack', message }),
        catchError((error: unknown) => of<Settled<M>>({ outcome: 'retry', message, error })),
        tap((settled) => {
          if (settled.outcome === 'ack') {
            message.ack();
            return;
          }
          logger.warn(
            { msgId: message.msgId, error: String(settled.error) },
            'handler failed; message handed back for redelivery',
          );
          message.retry();
        }),
      ),
    options.concurrency ?? 1,
  );
}
