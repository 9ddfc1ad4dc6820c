import {
  type MonoTypeOperatorFunction,
  type Observable,
  type SchedulerLike,
  interval,
  retry,
  startWith,
  switchMap,
  timer,
} from 'rxjs';

export interface BackoffOptions {
  /** The wait before the first retry; each further one doubles it. */
  readonly initialMs: number;
  readonly maxMs: number;
  readonly scheduler: SchedulerLike;
  /** Told of each failure and the wait before the next attempt. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** The wait before retry number `attempt` (1-based): initial, doubled each time, capped. */
export const backoffDelay = (attempt: number, initialMs: number, maxMs: number): number =>
  Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));

/**
 * Resubscribes to a connection that failed, after a growing wait; the count starts over once a connection
 * emits (it got up), so a master that restarts is found again within `initialMs`.
 */
export function reconnecting<T>(options: BackoffOptions): MonoTypeOperatorFunction<T> {
  return retry({
    resetOnSuccess: true,
    delay: (error: unknown, attempt: number) => {
      const delayMs = backoffDelay(attempt, options.initialMs, options.maxMs);
      options.onRetry?.(error, attempt, delayMs);
      return timer(delayMs, options.scheduler);
    },
  });
}

/**
 * A tick every `periodMs` for as long as `activity$` stays quiet, counted from subscription and from its
 * latest emission: the slave's report heartbeat, which reports sent for other reasons postpone.
 */
export function idleTicks$(
  activity$: Observable<unknown>,
  periodMs: number,
  scheduler: SchedulerLike,
): Observable<number> {
  return activity$.pipe(
    startWith(undefined),
    switchMap(() => interval(periodMs, scheduler)),
  );
}
