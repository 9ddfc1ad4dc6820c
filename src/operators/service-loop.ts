import {
  Observable,
  type ObservableInput,
  type SchedulerLike,
  Subscription,
  asyncScheduler,
  from,
  interval,
  merge,
  NEVER,
} from 'rxjs';

export interface ServiceLoopOptions {
  /** Run at least this often; omit for a loop driven by `wakeup$` alone. */
  readonly periodMs?: number;
  /** Extra triggers (new data appended, shutdown requested, ...). */
  readonly wakeup$?: Observable<unknown>;
  readonly scheduler?: SchedulerLike;
}

/**
 * RocketMQ's ServiceThread as a pipeline: `work` runs on every tick or wakeup, never two at once. A trigger
 * that arrives while `work` runs is remembered and starts one more run straight after, so a wakeup is never
 * lost (plain exhaustMap would drop it until the next tick). Unsubscribing stops the loop and the run in
 * progress.
 */
export function serviceLoop<R>(work: () => ObservableInput<R>, options: ServiceLoopOptions): Observable<R> {
  const ticks$ =
    options.periodMs === undefined ? NEVER : interval(options.periodMs, options.scheduler ?? asyncScheduler);
  const triggers$ = merge(ticks$, options.wakeup$ ?? NEVER);
  return new Observable<R>((subscriber) => {
    const subscriptions = new Subscription();
    let running = false;
    let again = false;

    const run = (): void => {
      running = true;
      again = false;
      // Held before subscribing: work that completes synchronously calls `complete` before subscribe() returns.
      const inner = new Subscription();
      subscriptions.add(inner);
      inner.add(
        from(work()).subscribe({
          next: (r) => {
            subscriber.next(r);
          },
          error: (e: unknown) => {
            subscriber.error(e);
          },
          complete: () => {
            subscriptions.remove(inner);
            running = false;
            if (again) run();
          },
        }),
      );
    };

    subscriptions.add(
      triggers$.subscribe({
        next: () => {
          if (running) again = true;
          else run();
        },
        error: (e: unknown) => {
          subscriber.error(e);
        },
      }),
    );
    return subscriptions;
  });
}
