import { BehaviorSubject, type Observable, distinctUntilChanged, map } from 'rxjs';

/** RocketMQ's DefaultMQPushConsumer flow-control defaults. */
export const PullThresholds = {
  /** pullThresholdForQueue */
  MESSAGES: 1000,
  /** pullThresholdSizeForQueue: 100 MiB */
  BYTES: 100 * 1024 * 1024,
  /** consumeConcurrentlyMaxSpan */
  OFFSET_SPAN: 2000,
} as const;

export interface ProcessQueueLimits {
  readonly maxMessages?: number;
  readonly maxBytes?: number;
  readonly maxOffsetSpan?: number;
}

/** What the window holds about one pulled message: its queue offset and how many body bytes it costs. */
export interface InFlight {
  readonly queueOffset: number;
  readonly size: number;
}

export interface ProcessQueueStats {
  readonly count: number;
  readonly bytes: number;
  /** maxOffset − minOffset of what is in flight, 0 when empty. */
  readonly offsetSpan: number;
}

/**
 * One queue's in-flight window: messages pulled and not yet acknowledged. The pull loop asks it whether to
 * pause; acks drain it. Its committed offset never passes an unacknowledged message, so a crash re-delivers
 * rather than loses.
 */
export interface ProcessQueue {
  /** Adds pulled messages; those already in flight (a re-pull) are ignored. */
  add(messages: readonly InFlight[]): void;
  /**
   * Records that the broker found nothing to deliver below `nextOffset` (no new or no matching messages), so an
   * empty window commits there instead of re-reading filtered-out messages after a restart.
   */
  advanceTo(nextOffset: number): void;
  /** Removes one message by offset; false when it was not in flight (a second ack). */
  remove(queueOffset: number): boolean;
  stats(): ProcessQueueStats;
  shouldPause(): boolean;
  /** true when the pull loop may pull; re-evaluated on every add and remove. */
  readonly room$: Observable<boolean>;
  /** The lowest in-flight offset, or one past the highest pulled when nothing is in flight; -1 before any pull. */
  committedOffset(): number;
  readonly dropped: boolean;
  /** Marks the queue revoked: its loop stops and its offset must not be committed from here any more. */
  drop(): void;
}

export function createProcessQueue(limits: ProcessQueueLimits = {}): ProcessQueue {
  const maxMessages = limits.maxMessages ?? PullThresholds.MESSAGES;
  const maxBytes = limits.maxBytes ?? PullThresholds.BYTES;
  const maxSpan = limits.maxOffsetSpan ?? PullThresholds.OFFSET_SPAN;
  // sizes by offset; Map keeps insertion order, and pulls arrive in offset order, so the first key is the min
  const inFlight = new Map<number, number>();
  let bytes = 0;
  let maxPulled = -1;
  let maxInFlight = -1;
  let dropped = false;
  const changed$ = new BehaviorSubject<void>(undefined);

  const minInFlight = (): number => {
    const first = inFlight.keys().next();
    return first.done === true ? -1 : first.value;
  };
  const stats = (): ProcessQueueStats => ({
    count: inFlight.size,
    bytes,
    offsetSpan: inFlight.size === 0 ? 0 : maxInFlight - minInFlight(),
  });
  const shouldPause = (): boolean => {
    const s = stats();
    return s.count >= maxMessages || s.bytes >= maxBytes || s.offsetSpan > maxSpan;
  };

  return {
    add(messages) {
      for (const m of messages) {
        if (inFlight.has(m.queueOffset) || m.queueOffset <= maxPulled) continue;
        inFlight.set(m.queueOffset, m.size);
        bytes += m.size;
        maxPulled = m.queueOffset;
        maxInFlight = m.queueOffset;
      }
      changed$.next();
    },
    advanceTo(nextOffset) {
      maxPulled = Math.max(maxPulled, nextOffset - 1);
    },
    remove(queueOffset) {
      const size = inFlight.get(queueOffset);
      if (size === undefined) return false;
      inFlight.delete(queueOffset);
      bytes -= size;
      if (queueOffset === maxInFlight) maxInFlight = inFlight.size === 0 ? -1 : Math.max(...inFlight.keys());
      changed$.next();
      return true;
    },
    stats,
    shouldPause,
    room$: changed$.pipe(
      map(() => !shouldPause()),
      distinctUntilChanged(),
    ),
    committedOffset: () => (inFlight.size === 0 ? (maxPulled < 0 ? -1 : maxPulled + 1) : minInFlight()),
    get dropped() {
      return dropped;
    },
    drop() {
      dropped = true;
      changed$.complete();
    },
  };
}
