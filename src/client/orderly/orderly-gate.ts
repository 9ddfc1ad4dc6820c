import {
  BehaviorSubject,
  EMPTY,
  Observable,
  type SchedulerLike,
  Subscription,
  asyncScheduler,
  catchError,
  concat,
  defer,
  filter,
  ignoreElements,
  map,
  of,
  take,
  tap,
  timer,
} from 'rxjs';
import type { ConsumerMessage, RetryOptions } from '../consumer-message.js';

/** suspendCurrentQueueTimeMillis: how long a queue waits after a failed batch before it is tried again. */
export const SUSPEND_CURRENT_QUEUE_MS = 1000;
/** consumeMessageBatchMaxSize */
export const CONSUME_BATCH_MAX_SIZE = 1;

export interface OrderlyGateOptions {
  readonly batchSize?: number;
  readonly suspendMs?: number;
  /** A message is retried locally this many times, then dead-lettered and its queue moves on. */
  readonly maxReconsumeTimes: number;
  /**
   * Stores an exhausted message in %DLQ%group. Without it (broadcasting has no DLQ) the message is given up
   * after `onGiveUp`. A failed write keeps the queue suspended and tries again.
   */
  readonly deadLetter$?: (message: ConsumerMessage) => Observable<void>;
  readonly onGiveUp?: (message: ConsumerMessage, reason: string) => void;
  /** Waits before each batch: in clustering the queue's broker lock must be held. */
  readonly ready$?: () => Observable<unknown>;
  readonly scheduler?: SchedulerLike;
}

/**
 * One queue's consume lock and local retry (RocketMQ's ConsumeMessageOrderlyService for one ProcessQueue): the
 * next batch is handed out only once every message of the previous one is settled; a retried message suspends
 * the queue and comes back first, one reconsume time more.
 */
export interface OrderlyGate {
  /** Turns the queue's pulled messages, in offset order, into batches that settle one after the other. */
  batches$(messages$: Observable<ConsumerMessage>): Observable<readonly ConsumerMessage[]>;
  /**
   * The removal side of the client's per-queue lock: completes once no batch is out, and from then on none is
   * handed out, so a revoked queue is dropped (and unlocked) only between batches.
   */
  close$(): Observable<void>;
}

interface Pending {
  readonly inner: ConsumerMessage;
  readonly reconsumeTimes: number;
}

/** The batch each handed-out batch's first message opens, for consume$ to run a batch as one unit. */
const batches = new WeakMap<ConsumerMessage, readonly ConsumerMessage[]>();
export const batchOpenedBy = (message: ConsumerMessage): readonly ConsumerMessage[] | undefined =>
  batches.get(message);

export function createOrderlyGate(options: OrderlyGateOptions): OrderlyGate {
  const scheduler = options.scheduler ?? asyncScheduler;
  const batchSize = options.batchSize ?? CONSUME_BATCH_MAX_SIZE;
  const ready$ = options.ready$ ?? (() => of(undefined));
  const busy$ = new BehaviorSubject(false);
  let closed = false;

  const batches$ = (messages$: Observable<ConsumerMessage>) =>
    new Observable<readonly ConsumerMessage[]>((subscriber) => {
      // a queue of what is waiting: taken from `head`, since shifting a long backlog batch by batch is quadratic
      let pending: Pending[] = [];
      let head = 0;
      const waitingCount = (): number => pending.length - head;
      const work = new Subscription();
      let ended = false;

      let waiting = false;

      // a batch settled inside its own hand-out (a synchronous handler) finishes once the hand-out returns, so
      // that everyone downstream sees the batches in order
      let emitting = false;
      let finishLater = false;
      const finish = (): void => {
        if (emitting) {
          finishLater = true;
          return;
        }
        busy$.next(false);
        if (ended) subscriber.complete();
        else pump();
      };

      // every message of the batch is settled: the failed ones decide between a suspend and moving on
      const settled = (failed: readonly Pending[]): void => {
        const again = failed.filter((p) => p.reconsumeTimes < options.maxReconsumeTimes);
        const exhausted = failed.filter((p) => p.reconsumeTimes >= options.maxReconsumeTimes);
        const retry = again.map((p) => ({ inner: p.inner, reconsumeTimes: p.reconsumeTimes + 1 }));
        const dead$ = exhausted.map((p) => deadLetter$(p, retry));
        const suspend$ = defer(() => {
          if (retry.length === 0) return EMPTY;
          retry.sort((a, b) => a.inner.queueOffset - b.inner.queueOffset);
          pending = [...retry, ...pending.slice(head)];
          head = 0;
          return timer(options.suspendMs ?? SUSPEND_CURRENT_QUEUE_MS, scheduler);
        });
        work.add(concat(...dead$, suspend$).subscribe({ complete: finish }));
      };

      const deadLetter$ = (p: Pending, retry: Pending[]): Observable<never> => {
        const message = outer(
          p,
          () => undefined,
          () => undefined,
        );
        if (options.deadLetter$ === undefined) {
          options.onGiveUp?.(message, 'retries exhausted; no DLQ to keep it');
          return defer(() => {
            p.inner.ack();
            return EMPTY;
          });
        }
        return options.deadLetter$(message).pipe(
          tap({
            complete: () => {
              p.inner.ack();
            },
          }),
          catchError((error: unknown) => {
            options.onGiveUp?.(message, `DLQ write failed, retried: ${String(error)}`);
            retry.push(p);
            return EMPTY;
          }),
          ignoreElements(),
        );
      };

      const handOut = (): void => {
        const batch = pending.slice(head, head + batchSize);
        head += batch.length;
        if (head > 1024 && head * 2 > pending.length) {
          pending = pending.slice(head);
          head = 0;
        }
        const failed: Pending[] = [];
        let open = batch.length;
        const done = (): void => {
          if (--open === 0) settled(failed);
        };
        const out = batch.map((p) =>
          outer(
            p,
            () => {
              p.inner.ack();
              done();
            },
            () => {
              failed.push(p);
              done();
            },
          ),
        );
        batches.set(out[0]!, out);
        emitting = true;
        subscriber.next(out);
        emitting = false;
        if (finishLater) {
          finishLater = false;
          finish();
        }
      };

      // waiting for the broker lock is not a batch out: a removal may close the gate meanwhile. A batch
      // started by an arrival waits for the rest of its pull (a 0 ms tick) so that it can fill up.
      // a synchronous handler settles each batch inside its hand-out: the next one is handed out by this loop
      // rather than from deeper in the stack, so a long backlog cannot overflow it
      let pumping = false;
      let pumpAgain = false;
      const pump = (arrival = false): void => {
        if (pumping) {
          pumpAgain = true;
          return;
        }
        pumping = true;
        try {
          do {
            pumpAgain = false;
            pumpOnce(arrival);
          } while (pumpAgain);
        } finally {
          pumping = false;
        }
      };

      const pumpOnce = (arrival: boolean): void => {
        if (busy$.value || waiting || closed || waitingCount() === 0) return;
        waiting = true;
        let got = false;
        work.add(
          concat(arrival ? timer(0, scheduler).pipe(ignoreElements()) : EMPTY, ready$())
            .pipe(take(1))
            .subscribe({
              next: () => {
                got = true;
                waiting = false;
                if (closed) return;
                busy$.next(true);
                handOut();
              },
              // the queue was given up before its lock came back
              complete: () => {
                if (!got) waiting = false;
              },
            }),
        );
      };

      work.add(
        messages$.subscribe({
          next: (m) => {
            pending.push({ inner: m, reconsumeTimes: m.reconsumeTimes });
            pump(batchSize > 1);
          },
          error: (error: unknown) => {
            subscriber.error(error);
          },
          complete: () => {
            ended = true;
            if (!busy$.value) subscriber.complete();
          },
        }),
      );
      return work;
    });

  return {
    batches$,
    close$: () =>
      busy$.pipe(
        filter((busy) => !busy),
        take(1),
        map(() => {
          closed = true;
        }),
      ),
  };
}

/** The message as the handler sees it: its current reconsume count, and settle calls that go to the gate. */
function outer(p: Pending, ack: () => void, retry: (options?: RetryOptions) => void): ConsumerMessage {
  let settled = false;
  return {
    ...p.inner,
    reconsumeTimes: p.reconsumeTimes,
    get settled() {
      return settled;
    },
    ack() {
      if (settled) return;
      settled = true;
      ack();
    },
    retry(options?: RetryOptions) {
      if (settled) return;
      settled = true;
      retry(options);
    },
  };
}
