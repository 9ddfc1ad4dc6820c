import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  catchError,
  concatMap,
  defer,
  expand,
  filter,
  map,
  mergeMap,
  of,
  take,
  timer,
} from 'rxjs';
import type { InFlight, ProcessQueue } from './process-queue.js';
import type { MessageQueue } from './queue-selector.js';

/** RocketMQ's pullTimeDelayMillsWhenException as older clients hard-code it. */
export const PULL_DELAY_ON_ERROR_MS = 3000;

/** PullStatus: OFFSET_ILLEGAL is what PULL_OFFSET_MOVED becomes on the client. */
export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface PullResult<M> {
  readonly status: PullStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Decoded and re-checked against the subscription's tags; may be empty even when FOUND. */
  readonly messages: readonly M[];
  /** Which broker of the group the next pull of this queue should go to (0 = master, 1 = a slave). */
  readonly suggestWhichBrokerId?: number;
}

export interface PullRequest {
  readonly queue: MessageQueue;
  readonly queueOffset: number;
  /** The window's committed offset, piggy-backed so the broker can store it; -1 when there is none yet. */
  readonly commitOffset: number;
}

export interface PullLoopOptions<M> {
  readonly queue: MessageQueue;
  readonly processQueue: ProcessQueue;
  readonly startOffset: number;
  /** One PULL_MESSAGE round trip (long polling included); specs answer it with cold(). */
  readonly pull$: (request: PullRequest) => Observable<PullResult<M>>;
  /** What a message costs the window. */
  readonly inFlight: (message: M) => InFlight;
  /** The broker moved the offset: the loop has dropped its window and stopped; the owner stores `nextOffset`. */
  readonly onOffsetMoved?: (nextOffset: number) => void;
  readonly onError?: (error: unknown) => void;
  readonly errorDelayMs?: number;
  readonly scheduler?: SchedulerLike;
}

interface Step<M> {
  readonly offset: number;
  readonly messages: readonly M[];
}

/**
 * One queue's pull loop, emitting the messages it pulls after adding them to the queue's window. It pulls only
 * while the window has room and waits for acks otherwise: that wait is the consumer's backpressure. A failed
 * pull is retried from the same offset after a pause. It completes when the window is dropped (queue revoked,
 * offset moved); unsubscribing stops it, a pull in flight included.
 */
export function pullLoop$<M>(options: PullLoopOptions<M>): Observable<M> {
  const { processQueue: pq, queue } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const errorDelay = options.errorDelayMs ?? PULL_DELAY_ON_ERROR_MS;

  const onResult = (offset: number, result: PullResult<M>): Observable<Step<M>> => {
    // a pull answered after the queue was revoked must not put messages into a dead window
    if (pq.dropped) return EMPTY;
    switch (result.status) {
      case 'FOUND':
        pq.add(result.messages.map(options.inFlight));
        if (result.messages.length === 0) pq.advanceTo(result.nextBeginOffset);
        return of({ offset: result.nextBeginOffset, messages: result.messages });
      case 'NO_NEW_MSG':
      case 'NO_MATCHED_MSG':
        pq.advanceTo(result.nextBeginOffset);
        return of({ offset: result.nextBeginOffset, messages: [] });
      case 'OFFSET_ILLEGAL':
        // in-flight acks would commit offsets from the old range; RocketMQ drops the window and starts over
        pq.drop();
        options.onOffsetMoved?.(result.nextBeginOffset);
        return EMPTY;
    }
  };

  const cycle$ = (offset: number): Observable<Step<M>> =>
    pq.room$.pipe(
      filter((room) => room),
      take(1),
      concatMap(() =>
        defer(() => options.pull$({ queue, queueOffset: offset, commitOffset: pq.committedOffset() })).pipe(
          take(1),
          concatMap((result) => onResult(offset, result)),
          catchError((error: unknown) => {
            options.onError?.(error);
            return timer(errorDelay, scheduler).pipe(
              filter(() => !pq.dropped),
              map(() => ({ offset, messages: [] })),
            );
          }),
        ),
      ),
    );

  return defer(() => (pq.dropped ? EMPTY : cycle$(options.startOffset))).pipe(
    expand((step) => cycle$(step.offset)),
    mergeMap((step) => step.messages),
  );
}
