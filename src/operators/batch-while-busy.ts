import { Observable, type ObservableInput, type OperatorFunction, Subscription, from } from 'rxjs';

/**
 * Runs `job` on the first value; values that arrive while a job runs are collected and handed to the next
 * job as one batch when the current one completes. This is group commit: every put that queues during an
 * fdatasync shares the next one. Errors from a job or the source go downstream; unsubscribing stops both.
 */
export function batchWhileBusy<T, R>(job: (batch: T[]) => ObservableInput<R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const subscriptions = new Subscription();
      let pending: T[] = [];
      let busy = false;
      let sourceDone = false;

      const runNext = (): void => {
        if (pending.length === 0) {
          busy = false;
          if (sourceDone) subscriber.complete();
          return;
        }
        busy = true;
        const batch = pending;
        pending = [];
        const inner: Subscription = from(job(batch)).subscribe({
          next: (r) => {
            subscriber.next(r);
          },
          error: (e: unknown) => {
            subscriber.error(e);
          },
          complete: () => {
            subscriptions.remove(inner);
            runNext();
          },
        });
        if (!inner.closed) subscriptions.add(inner);
      };

      subscriptions.add(
        source.subscribe({
          next: (value) => {
            pending.push(value);
            if (!busy) runNext();
          },
          error: (e: unknown) => {
            subscriber.error(e);
          },
          complete: () => {
            sourceDone = true;
            if (!busy) subscriber.complete();
          },
        }),
      );
      return () => {
        subscriptions.unsubscribe();
        pending = [];
      };
    });
}
