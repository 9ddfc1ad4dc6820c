import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  catchError,
  concat,
  concatMap,
  defer,
  expand,
  filter,
  ignoreElements,
  map,
  of,
  race,
  take,
  timer,
} from 'rxjs';
import type { Logger } from '../../logger.js';

/** A ConsumeQueue entry of SCHEDULE_TOPIC_XXXX: its tag slot holds the delivery time. */
export interface ScheduledEntry {
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

export interface LevelTimerDeps {
  /** The level's delay: a delivery time further ahead than now + delay is taken as now (a clock moved). */
  readonly delayMs: number;
  /** Entries of the level's queue from `offset`, in queue order; none when there are none yet. */
  read$(offset: number): Observable<readonly ScheduledEntry[]>;
  /** Moves due messages to their real topics, in order; completes once all are stored. */
  deliver$(entries: readonly ScheduledEntry[]): Observable<unknown>;
  /** Something new arrived in the level's queue: an idle wait ends early. */
  readonly arrivals$: Observable<unknown>;
  /** How long to wait when the queue has nothing more (RocketMQ's 100 ms). */
  readonly idleMs: number;
  /** How long to wait after a failed read or re-put before trying the same entry again (RocketMQ's 10 s). */
  readonly retryMs: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

interface Step {
  readonly offset: number;
  /** The last value of a pass: the next pass starts from `offset`. */
  readonly passDone: boolean;
}

/**
 * One delay level's timer (RocketMQ's DeliverDelayedMessageTimerTask) as an Observable: read the level's
 * queue from `start`, move every due message to its real topic in queue order, and when the next one is
 * not due, wait exactly until it is. Messages of one level are due in the order they were stored, so the
 * first entry not due ends a pass; the due ones before it are moved together. Emits the queue offset after
 * each delivered group; never completes.
 */
export function levelTimer$(start: number, deps: LevelTimerDeps): Observable<number> {
  const { scheduler } = deps;
  const deliverAt = (entry: ScheduledEntry, now: number): number =>
    entry.tagsCode > now + deps.delayMs ? now : entry.tagsCode;

  const idle = (offset: number): Observable<Step> =>
    race(timer(deps.idleMs, scheduler), deps.arrivals$.pipe(take(1))).pipe(
      take(1),
      map(() => ({ offset, passDone: true })),
    );

  const pass = (offset: number): Observable<Step> =>
    defer(() => {
      let reached = offset;
      return deps.read$(offset).pipe(
        concatMap((entries): Observable<Step> => {
          const first = entries[0];
          if (first === undefined) return idle(offset);
          const now = scheduler.now();
          const due: ScheduledEntry[] = [];
          for (const entry of entries) {
            if (deliverAt(entry, now) > now) break;
            due.push(entry);
          }
          if (due.length === 0) {
            return timer(deliverAt(first, now) - now, scheduler).pipe(
              map(() => ({ offset: first.queueOffset, passDone: true })),
            );
          }
          return concat(
            deps.deliver$(due).pipe(ignoreElements()),
            defer(() => {
              reached = due.at(-1)!.queueOffset + 1;
              return of({ offset: reached, passDone: false }, { offset: reached, passDone: true });
            }),
          );
        }),
        catchError((error: unknown) => {
          deps.logger.error(
            { offset: reached, retryInMs: deps.retryMs, error: String(error) },
            'delayed message not moved to its topic; retrying',
          );
          return timer(deps.retryMs, scheduler).pipe(map(() => ({ offset: reached, passDone: true })));
        }),
      );
    });

  return pass(start).pipe(
    expand((step) => (step.passDone ? pass(step.offset) : EMPTY)),
    filter((step) => !step.passDone),
    map((step) => step.offset),
  );
}
