import {
  EMPTY,
  type Observable,
  Subject,
  type SchedulerLike,
  asyncScheduler,
  concat,
  defer,
  filter,
  ignoreElements,
  map,
  merge,
  mergeMap,
  switchMap,
  retry,
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

export interface ConsumeAssignedDeps {
  /** Where a newly assigned queue starts (startOffset$ over the offset store and the broker). */
  startOffset$(queue: MessageQueue): Observable<number>;
  pull$(request: PullRequest): Observable<PullResult<MessageExt>>;
  readonly offsets: OffsetStore;
  /** CONSUMER_SEND_MSG_BACK for retry(). */
  sendBack$(message: ConsumerMessage, delayLevel: number): Observable<void>;
  readonly limits?: ProcessQueueLimits;
  readonly onError?: (error: unknown, queue: MessageQueue) => void;
  readonly scheduler?: SchedulerLike;
}

/**
 * Turns assignments into messages: a pull loop per assigned queue, each over its own in-flight window; acks move
 * the queue's offset in the offset store; a revoked queue's loop stops (its pull in flight cancelled), its
 * window is dropped and its offset written one last time.
 */
export function consumeAssigned$(
  assignment$: Observable<Assignment>,
  deps: ConsumeAssignedDeps,
): Observable<ConsumerMessage> {
  return defer(() => {
    const windows = new Map<string, ProcessQueue>();
    const revoked$ = new Subject<string>();

    const settlement = (queue: MessageQueue, pq: ProcessQueue): Settlement => {
      const settle = (m: ConsumerMessage): void => {
        if (!pq.remove(m.queueOffset) || pq.dropped) return;
        deps.offsets.update(queue, pq.committedOffset(), true);
      };
      return {
        ack: settle,
        retry: (m, delayLevel) => {
          // only a message the broker took back may leave the window: a failed send-back keeps the offset
          // below it, so it is redelivered rather than lost
          deps.sendBack$(m, delayLevel).subscribe({
            complete: () => {
              settle(m);
            },
            error: (error: unknown) => {
              deps.onError?.(error, queue);
            },
          });
        },
      };
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
        // the broker moved the offset: start a fresh window there, as RocketMQ's next rebalance would
        return concat(
          loop$,
          defer(() => (movedTo === undefined ? EMPTY : run$(queue, movedTo))),
        );
      });

    const assigned$ = (queue: MessageQueue): Observable<ConsumerMessage> =>
      defer(() => deps.startOffset$(queue)).pipe(
        // the queue stays assigned, so no later rebalance would start it: keep trying, as a failed pull does
        retry({
          delay: (error: unknown) => {
            deps.onError?.(error, queue);
            return timer(PULL_DELAY_ON_ERROR_MS, deps.scheduler ?? asyncScheduler);
          },
        }),
        switchMap((offset) => run$(queue, offset)),
        takeUntil(revoked$.pipe(filter((k) => k === queueKey(queue)))),
      );

    const revoke$ = (queue: MessageQueue): Observable<never> =>
      defer(() => {
        const key = queueKey(queue);
        windows.get(key)?.drop();
        windows.delete(key);
        revoked$.next(key);
        return deps.offsets.remove$(queue).pipe(ignoreElements());
      });

    return assignment$.pipe(mergeMap((a) => merge(...a.removed.map(revoke$), ...a.added.map(assigned$))));
  });
}
