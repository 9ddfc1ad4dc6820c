import { randomUUID } from 'node:crypto';
import {
  EMPTY,
  type MonoTypeOperatorFunction,
  type Observable,
  catchError,
  concatMap,
  mergeMap,
  of,
} from 'rxjs';
import type { RetryOptions } from '../client/consumer-message.js';
import { type Logger, silentLogger } from '../logger.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { Settleable } from './settleable.js';

export interface IdempotentOptions<M> {
  readonly store: IdempotencyStore;
  /** The dedup key; by default the client msgId (the producer's UNIQ_KEY), the same on every redelivery. */
  readonly key?: (message: M) => string;
  /** How long a consumer may hold a message before others may take it (60 s): longer than any handler runs. */
  readonly consumingTimeoutMs?: number;
  /** How long a consumed message is remembered (24 h): longer than redeliveries can come. */
  readonly consumedTtlMs?: number;
  readonly logger?: Logger;
}

/**
 * Lets through each message only once across redeliveries and consumers. A message no one has taken is
 * marked consuming and emitted; its ack() marks it consumed first and its retry() drops the mark, both then
 * settle the original. A message already consumed is acked and skipped. One some consumer holds (or held
 * when it died, until the mark times out) is retried through the broker, so it comes back and is handled
 * if that consumer never finished. A store that fails is logged and the message retried. Order is kept.
 */
export function idempotent<M extends Settleable>(options: IdempotentOptions<M>): MonoTypeOperatorFunction<M> {
  const { store } = options;
  const keyOf = options.key ?? ((message: M) => message.msgId);
  const timeoutMs = options.consumingTimeoutMs ?? 60_000;
  const ttlMs = options.consumedTtlMs ?? 24 * 3_600_000;
  const logger = options.logger ?? silentLogger;

  const guarded = (message: M, key: string, token: string): M => {
    let settled = false;
    const settleAfter = (store$: Observable<void>, settle: () => void): void => {
      store$.subscribe({
        complete: settle,
        error: (error: unknown) => {
          logger.warn({ key, error: String(error) }, 'idempotency store failed while settling');
          settle();
        },
      });
    };
    return Object.create(message, {
      settled: { get: () => settled },
      ack: {
        value: () => {
          if (settled) return;
          settled = true;
          settleAfter(store.complete$(key, ttlMs), () => {
            message.ack();
          });
        },
      },
      retry: {
        value: (retryOptions?: RetryOptions) => {
          if (settled) return;
          settled = true;
          settleAfter(store.release$(key, token), () => {
            message.retry(retryOptions);
          });
        },
      },
    }) as M;
  };

  return concatMap((message: M) => {
    const key = keyOf(message);
    const token = randomUUID();
    return store.begin$(key, token, timeoutMs).pipe(
      catchError((error: unknown) => {
        logger.warn({ key, error: String(error) }, 'idempotency store failed; message handed back');
        message.retry();
        return EMPTY;
      }),
      mergeMap((state) => {
        if (state === 'started') return of(guarded(message, key, token));
        if (state === 'consumed') {
          logger.debug({ key }, 'already consumed; acked and skipped');
          message.ack();
        } else {
          logger.info({ key }, 'being consumed elsewhere; handed back to come again later');
          message.retry();
        }
        return EMPTY;
      }),
    );
  });
}
