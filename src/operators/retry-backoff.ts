import { type MonoTypeOperatorFunction, type SchedulerLike, retry, throwError, timer } from 'rxjs';

export interface BackoffOptions {
  /** Attempts after the first one (3). */
  readonly maxRetries?: number;
  /** Wait before the first retry (1000 ms); each later wait is `factor` times the one before. */
  readonly initialDelayMs?: number;
  /** No wait is longer than this (30 s), however many attempts came before. */
  readonly maxDelayMs?: number;
  readonly factor?: number;
  /** Errors this returns false for are not retried: they go downstream at once. */
  readonly shouldRetry?: (error: unknown) => boolean;
  /** Where the waits are timed; TestScheduler.run() virtualises the default. */
  readonly scheduler?: SchedulerLike;
}

/** The wait before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  return Math.min(max, initial * (options.factor ?? 2) ** (attempt - 1));
}

/**
 * Resubscribes to the source after an error, waiting longer each time, and passes the last error on once
 * the retries run out. Values the source emitted before failing are not taken back.
 */
export function retryBackoff<T>(options: BackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const shouldRetry = options.shouldRetry ?? (() => true);
  return retry<T>({
    count: options.maxRetries ?? 3,
    delay: (error: unknown, attempt) =>
      shouldRetry(error) ? timer(backoffDelay(attempt, options), options.scheduler) : throwError(() => error),
  });
}
