import {
  type Observable,
  type SchedulerLike,
  EMPTY,
  catchError,
  concatMap,
  defer,
  filter,
  ignoreElements,
  interval,
  merge,
} from 'rxjs';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import type { HostAddress, MessageRecordInput } from '../../protocol/message.js';
import { SystemTopic } from '../managers/topic-config.js';
import type { PutOptions, PutResult } from '../store/message-store.js';
import type { DelayOffsetTable } from './delay-offset-table.js';
import { type ScheduledEntry, levelTimer$ } from './level-timer.js';
import { type RecordSpan, rePutAll } from './re-put-all.js';

export interface ScheduleStore {
  readQueue(
    topic: string,
    queueId: number,
    from: number,
    maxCount: number,
  ): Promise<readonly ScheduledEntry[]>;
  /** The records at these spans, in order; one that is gone is left out. */
  readRecords(spans: readonly RecordSpan[]): Promise<readonly Buffer[]>;
  readonly arrivals$: Observable<DispatchInfo>;
}

export interface ScheduleServiceDeps {
  readonly levelsMs: readonly number[];
  readonly store: ScheduleStore;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly storeHost: HostAddress;
  readonly offsets: DelayOffsetTable;
  /** flushDelayOffsetInterval: how often delayOffset.json is written while running. */
  readonly flushIntervalMs: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

/** Entries read per pass: enough for a burst, small enough that a pass ends soon. */
const READ_BATCH = 64;
const IDLE_MS = 100;
const RETRY_MS = 10_000;

/**
 * RocketMQ's ScheduleMessageService: one level timer per delay level over SCHEDULE_TOPIC_XXXX, each
 * re-putting due messages on their real topic and advancing the level's offset once the re-put is
 * stored, plus the loop that writes delayOffset.json every flush interval.
 */
export class ScheduleService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: ScheduleServiceDeps) {}

  /** The level timers and the offset writer; unsubscribing stops them (see drain). */
  readonly loop$: Observable<never> = defer(() =>
    merge(
      ...this.deps.levelsMs.map((delayMs, index) => this.level$(index + 1, delayMs)),
      interval(this.deps.flushIntervalMs, this.deps.scheduler).pipe(
        concatMap(() => defer(() => this.deps.offsets.persist()).pipe(catchError(() => EMPTY))),
        ignoreElements(),
      ),
    ),
  );

  /** Resolves once every re-put started has been stored and counted in the offsets. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private level$(level: number, delayMs: number): Observable<never> {
    const { store, scheduler } = this.deps;
    const queueId = level - 1;
    return levelTimer$(this.deps.offsets.offsetOf(level), {
      delayMs,
      read$: (offset) => defer(() => store.readQueue(SystemTopic.SCHEDULE, queueId, offset, READ_BATCH)),
      deliver$: (entries) => defer(() => this.deliver(level, entries)),
      arrivals$: store.arrivals$.pipe(
        filter((info) => info.topic === SystemTopic.SCHEDULE && info.queueId === queueId),
      ),
      idleMs: IDLE_MS,
      retryMs: RETRY_MS,
      scheduler,
      logger: this.deps.logger,
    }).pipe(ignoreElements());
  }

  /** The offset advances inside the promise, so a re-put that finishes after an unsubscribe still counts. */
  private deliver(level: number, entries: readonly ScheduledEntry[]): Promise<void> {
    const delivering = rePutAll(entries, {
      readRecords: (spans) => this.deps.store.readRecords(spans),
      put: this.deps.put,
      storeHost: this.deps.storeHost,
      logger: this.deps.logger,
    }).then((end) => {
      this.deps.offsets.advance(level, entries.at(-1)!.queueOffset + 1, end);
    });
    this.inFlight.add(delivering);
    const settled = (): void => {
      this.inFlight.delete(delivering);
    };
    delivering.then(settled, settled);
    return delivering;
  }
}
