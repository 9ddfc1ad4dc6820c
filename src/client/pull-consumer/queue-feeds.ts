import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  Subject,
  asyncScheduler,
  concat,
  defer,
  filter,
  finalize,
  ignoreElements,
  map,
  merge,
  mergeMap,
  retry,
  switchMap,
  takeUntil,
  tap,
  timer,
} from 'rxjs';
import type { MessageExt } from '../../protocol/message.js';
import { toPulledMessage } from '../consumer-message.js';
import { type ProcessQueueLimits, createProcessQueue } from '../process-queue.js';
import { PULL_DELAY_ON_ERROR_MS, type PullRequest, type PullResult, pullLoop$ } from '../pull-loop.js';
import type { MessageQueue } from '../queue-selector.js';
import { queueKey } from '../rebalance/rebalance.js';
import type { FeedRun, FetchBuffer } from './fetch-buffer.js';

export interface QueueSeek {
  readonly queue: MessageQueue;
  readonly offset: number;
}

export interface QueueFeedDeps {
  /** Where a queue's loop starts when the feed starts or the queue is newly assigned. */
  startOffset$(queue: MessageQueue): Observable<number>;
  pull$(request: PullRequest): Observable<PullResult<MessageExt>>;
  /** seek(): that queue's loop starts over at the offset, its buffered messages skipped. */
  readonly seeks$: Observable<QueueSeek>;
  readonly buffer: FetchBuffer;
  /** The per-queue bound on pulled messages nobody has taken yet. */
  readonly limits?: ProcessQueueLimits;
  /** The broker said the offset is out of range and where to go instead; the loop starts over there. */
  onOffsetMoved(queue: MessageQueue, offset: number): void;
  onError(error: unknown, queue: MessageQueue): void;
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs a pull loop per assigned queue into the fetch buffer while subscribed. Each loop pulls only while its
 * window has room, and taking from the buffer is what makes room: that is the pull consumer's backpressure.
 * A queue leaving the assignment stops its loop (its pull in flight cancelled); unsubscribing stops them all.
 */
export function queueFeeds$(
  assignment$: Observable<readonly MessageQueue[]>,
  deps: QueueFeedDeps,
): Observable<never> {
  const scheduler = deps.scheduler ?? asyncScheduler;

  const run$ = (queue: MessageQueue, startOffset: number): Observable<never> =>
    defer(() => {
      const run: FeedRun = { queue, window: createProcessQueue(deps.limits) };
      let movedTo: number | undefined;
      const loop$ = pullLoop$({
        queue,
        processQueue: run.window,
        startOffset,
        pull$: (request) => deps.pull$(request),
        inFlight: (m) => ({ queueOffset: m.queueOffset, size: m.body.length }),
        onOffsetMoved: (next) => {
          movedTo = next;
          deps.onOffsetMoved(queue, next);
        },
        onError: (error) => {
          deps.onError(error, queue);
        },
        scheduler,
      }).pipe(
        tap((m) => {
          deps.buffer.push(run, toPulledMessage(m, queue));
        }),
        ignoreElements(),
      );
      return concat(
        loop$,
        defer(() => (movedTo === undefined ? EMPTY : run$(queue, movedTo))),
      ).pipe(
        // a run that is over must not hand out what it buffered: the next run starts from the consumed offset
        finalize(() => {
          run.window.drop();
        }),
      );
    });

  const feed$ = (queue: MessageQueue): Observable<never> => {
    const key = queueKey(queue);
    const seeks$ = deps.seeks$.pipe(
      filter((s) => queueKey(s.queue) === key),
      map((s) => s.offset),
    );
    const start$ = defer(() => deps.startOffset$(queue)).pipe(
      // the queue stays assigned, so nothing else would start it: keep trying, as a failed pull does
      retry({
        delay: (error: unknown) => {
          deps.onError(error, queue);
          return timer(PULL_DELAY_ON_ERROR_MS, scheduler);
        },
      }),
      takeUntil(seeks$),
    );
    return merge(start$, seeks$).pipe(switchMap((offset) => run$(queue, offset)));
  };

  return defer(() => {
    const removed$ = new Subject<string>();
    let current = new Map<string, MessageQueue>();
    return assignment$.pipe(
      mergeMap((queues) => {
        const next = new Map(queues.map((q) => [queueKey(q), q]));
        for (const key of current.keys()) if (!next.has(key)) removed$.next(key);
        const added = [...next].filter(([key]) => !current.has(key)).map(([, q]) => q);
        current = next;
        return added;
      }),
      mergeMap((queue) =>
        feed$(queue).pipe(takeUntil(removed$.pipe(filter((key) => key === queueKey(queue))))),
      ),
    );
  });
}
