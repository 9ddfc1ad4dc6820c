import {
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  filter,
  map,
  merge,
  take,
  takeUntil,
  timer,
} from 'rxjs';

/** RocketMQ's PullRequestHoldService re-checks every parked pull this often, arrivals or not. */
export const HOLD_RECHECK_INTERVAL_MS = 5000;

/** What wakes a parked pull: what the store says became pullable. */
export interface Arrival {
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly tagsCode: number;
}

/** Why a parked pull woke; the pull is then run again once, never parked twice. */
export type WakeReason = 'arrival' | 'recheck' | 'timeout';

export interface ParkedPull {
  readonly topic: string;
  readonly queueId: number;
  /** The offset the pull asked for: a message at or past it is news. */
  readonly offset: number;
  readonly timeoutMs: number;
  /** The subscription's tag-hash check, so a message of another tag does not wake it. */
  readonly matchesTagsCode: (tagsCode: number) => boolean;
  /** The connection's end: a pull parked on a closed channel is dropped without an answer. */
  readonly closed$: Observable<unknown>;
}

export interface LongPollingDeps {
  readonly arrivals$: Observable<Arrival>;
  /** The queue's next offset now, for the periodic re-check (an arrival may slip past a filter change). */
  readonly maxOffsetInQueue: (topic: string, queueId: number) => number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Long polling (RocketMQ's PullRequestHoldService + NotifyMessageArrivingListener), one Observable per
 * parked pull: it emits once why it woke (a matching arrival, the 5 s re-check finding the queue grown, or the
 * client's suspend timeout) and completes, or completes silently when the channel closes first.
 */
export function parkPull$(deps: LongPollingDeps, pull: ParkedPull): Observable<WakeReason> {
  const scheduler = deps.scheduler ?? asyncScheduler;
  const arrived$ = deps.arrivals$.pipe(
    filter(
      (a) =>
        a.topic === pull.topic &&
        a.queueId === pull.queueId &&
        a.queueOffset >= pull.offset &&
        pull.matchesTagsCode(a.tagsCode),
    ),
    map((): WakeReason => 'arrival'),
  );
  // As RocketMQ's tick: no tag check here, so the re-run pull skips unmatched messages and answers at once.
  // The first check is immediate: a message may have arrived between the empty read and this subscription.
  const grown$ = timer(0, HOLD_RECHECK_INTERVAL_MS, scheduler).pipe(
    filter(() => deps.maxOffsetInQueue(pull.topic, pull.queueId) > pull.offset),
    map((): WakeReason => 'recheck'),
  );
  const timedOut$ = timer(pull.timeoutMs, scheduler).pipe(map((): WakeReason => 'timeout'));
  return merge(arrived$, grown$, timedOut$).pipe(take(1), takeUntil(pull.closed$));
}
