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
import { rePutInput } from './re-put.js';

export interface ScheduleStore {
  readQueue(
    topic: string,
    queueId: number,
    from: number,
    maxCount: number,
  ): Promise<readonly ScheduledEntry[]>;
  readRecord(physicalOffset: number): Promise<Buffer | undefined>;
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
      deliver$: (entry) => defer(() => this.deliver(level, entry)),
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
  private deliver(level: number, entry: ScheduledEntry): Promise<void> {
    const delivering = this.rePut(level, entry);
    this.inFlight.add(delivering);
    const settled = (): void => {
      this.inFlight.delete(delivering);
    };
    delivering.then(settled, settled);
    return delivering;
  }

  private async rePut(level: number, entry: ScheduledEntry): Promise<void> {
    const next = entry.queueOffset + 1;
    const record = await this.deps.store.readRecord(entry.physicalOffset);
    const input = record === undefined ? undefined : rePutInput(record, this.deps.storeHost);
    if (input === undefined) {
      this.deps.logger.error(
        { level, queueOffset: entry.queueOffset, physicalOffset: entry.physicalOffset },
        record === undefined
          ? 'delayed message no longer in the CommitLog; skipped'
          : 'delayed message has no REAL_TOPIC/REAL_QID; skipped',
      );
      this.deps.offsets.advance(level, next, 0);
      return;
    }
    const result = await this.deps.put([input], { waitStoreMsgOK: false });
    const stored = result.records.at(-1)!;
    this.deps.offsets.advance(level, next, stored.physicalOffset + stored.size);
  }
}
