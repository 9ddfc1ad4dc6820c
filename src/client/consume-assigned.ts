import {
  EMPTY,
  type Observable,
  Subject,
  Subscription,
  type SchedulerLike,
  asyncScheduler,
  concat,
  defer,
  filter,
  finalize,
  ignoreElements,
  map,
  merge,
  mergeMap,
  switchMap,
  retry,
  take,
  takeUntil,
  timer,
} from 'rxjs';
import { type ConsumerMessage, type Settlement, toConsumerMessage } from './consumer-message.js';
import type { OffsetStore } from './offset-store.js';
import { type ProcessQueue, type ProcessQueueLimits, createProcessQueue } from './process-queue.js';
import { PULL_DELAY_ON_ERROR_MS, type PullRequest, type PullResult, pullLoop$ } from './pull-loop.js';
import type { MessageQueue } from './queue-selector.js';
import { type Assignment, queueKey } from './rebalance/rebalance.js';
import type { MessageExt } from '../protocol/message.js';
import type { OrderlyQueues } from './orderly/orderly-queues.js';

/** RocketMQ's submitConsumeRequestLater: a message that could not be sent back is handed out again after 5 s. */
export const REDELIVER_LATER_MS = 5000;

export interface ConsumeAssignedDeps {
  /** Where a newly assigned queue starts (startOffset$ over the offset store and the broker). */
  startOffset$(queue: MessageQueue): Observable<number>;
  pull$(request: PullRequest): Observable<PullResult<MessageExt>>;
  readonly offsets: OffsetStore;
  /**
   * CONSUMER_SEND_MSG_BACK for retry(). Without it (broadcasting: nothing to send back to) every retry is a
   * local redelivery.
   */
  readonly sendBack$?: (message: ConsumerMessage, delayLevel: number) => Observable<void>;
  readonly limits?: ProcessQueueLimits;
  /** Where the windows live, by queueKey, when the owner wants to read their counters. */
  readonly windows?: Map<string, ProcessQueue>;
  readonly redeliverLaterMs?: number;
  readonly onError?: (error: unknown, queue: MessageQueue) => void;
  readonly scheduler?: SchedulerLike;
  /** An orderly subscription's locks: pull once held, a batch at a time, release between batches. */
  readonly orderly?: OrderlyQueues;
}

/**
 * Turns assignments into messages: a pull loop per assigned queue, each over its own in-flight window; acks move
 * the queue's offset in the offset store; a revoked queue's loop stops (its pull in flight cancelled), its
 * window is dropped and its offset written one last time. A retry the broker did not take (send-back failed,
 * or no send-back at all) stays in the window and is handed out again later, one reconsume time more: never
 * dropped.
 */
export function consumeAssigned$(
  assignment$: Observable<Assignment>,
  deps: ConsumeAssignedDeps,
): Observable<ConsumerMessage> {
  return defer(() => {
    const windows = deps.windows ?? new Map<string, ProcessQueue>();
    const revoked$ = new Subject<string>();
    const redeliver$ = new Subject<ConsumerMessage>();
    // the redelivery timers end with the pipeline; send-backs in flight are left to finish
    const timers = new Subscription();
    const scheduler = deps.scheduler ?? asyncScheduler;

    const settlement = (queue: MessageQueue, pq: ProcessQueue): Settlement => {
      const settle = (m: ConsumerMessage): void => {
        if (!pq.remove(m.queueOffset) || pq.dropped) return;
        deps.offsets.update(queue, pq.committedOffset(), true);
      };
      const later = (m: ConsumerMessage): void => {
        timers.add(
          timer(deps.redeliverLaterMs ?? REDELIVER_LATER_MS, scheduler).subscribe(() => {
            if (pq.dropped) return;
            const again = { ...m, msgId: m.offsetMsgId, reconsumeTimes: m.reconsumeTimes + 1 };
            redeliver$.next(toConsumerMessage(again, queue, self));
          }),
        );
      };
      const self: Settlement = {
        ack: settle,
        retry: (m, delayLevel) => {
          if (deps.sendBack$ === undefined) {
            later(m);
            return;
          }
          // only a message the broker took back may leave the window: a failed send-back keeps the offset
          // below it and hands the message out again here
          deps.sendBack$(m, delayLevel).subscribe({
            complete: () => {
              settle(m);
            },
            error: (error: unknown) => {
              deps.onError?.(error, queue);
              later(m);
            },
          });
        },
      };
      return self;
    };

    const run$ = (queue: MessageQueue, startOffset: number): Observable<ConsumerMessage> =>
      defer(() => {
        const pq = createProcessQueue(deps.limits);
        windows.set(queueKey(queue), pq);
        let movedTo: number | undefined;
        const loop$ = pullLoop$({
          queue,
          processQueue: pq,
          startOffset,
          pull$: (request) => deps.pull$(request),
          inFlight: (m) => ({ queueOffset: m.queueOffset, size: m.body.length }),
          onOffsetMoved: (next) => {
            deps.offsets.update(queue, next);
            movedTo = next;
          },
          ...(deps.onError === undefined ? {} : { onError: (e: unknown) => deps.onError?.(e, queue) }),
          ...(deps.scheduler === undefined ? {} : { scheduler: deps.scheduler }),
        }).pipe(map((ext) => toConsumerMessage(ext, queue, settlement(queue, pq))));
        const consumed$ = deps.orderly === undefined ? loop$ : deps.orderly.consume(queue, loop$);
        // the broker moved the offset: start a fresh window there, as RocketMQ's next rebalance would
        return concat(
          consumed$,
          defer(() => (movedTo === undefined ? EMPTY : run$(queue, movedTo))),
        );
      });

    // an orderly queue reads its start offset only once locked: its previous owner wrote it before unlocking
    const ready$ = (queue: MessageQueue): Observable<never> =>
      deps.orderly === undefined ? EMPTY : deps.orderly.ready$(queue).pipe(take(1), ignoreElements());

    const assigned$ = (queue: MessageQueue): Observable<ConsumerMessage> =>
      concat(
        ready$(queue),
        defer(() => deps.startOffset$(queue)),
      ).pipe(
        // the queue stays assigned, so no later rebalance would start it: keep trying, as a failed pull does
        retry({
          delay: (error: unknown) => {
            deps.onError?.(error, queue);
            return timer(PULL_DELAY_ON_ERROR_MS, scheduler);
          },
        }),
        switchMap((offset) => run$(queue, offset)),
        takeUntil(revoked$.pipe(filter((k) => k === queueKey(queue)))),
      );

    const revoke$ = (queue: MessageQueue): Observable<never> =>
      concat(
        deps.orderly?.release$(queue) ?? EMPTY,
        defer(() => {
          const key = queueKey(queue);
          windows.get(key)?.drop();
          windows.delete(key);
          revoked$.next(key);
          return deps.offsets.remove$(queue).pipe(ignoreElements());
        }),
        deps.orderly?.released$(queue) ?? EMPTY,
      );

    return merge(
      assignment$.pipe(mergeMap((a) => merge(...a.removed.map(revoke$), ...a.added.map(assigned$)))),
      redeliver$,
    ).pipe(
      finalize(() => {
        timers.unsubscribe();
      }),
    );
  });
}
