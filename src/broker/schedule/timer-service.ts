import {
  type Observable,
  type SchedulerLike,
  concatMap,
  defer,
  filter,
  firstValueFrom,
  ignoreElements,
  interval,
  merge,
  race,
  repeat,
  take,
  timer,
} from 'rxjs';
import { RxRocketError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { HostAddress, MessageRecordInput } from '../../protocol/message.js';
import type { PutOptions, PutResult } from '../store/message-store.js';
import type { ScheduleStore } from './schedule-service.js';
import { rollInput } from './re-put.js';
import { rePutAll } from './re-put-all.js';
import type { TimerCheckpoint } from './timer-checkpoint.js';
import { TIMER_TOPIC } from './timer-properties.js';
import type { SlotEntry, TimerSlots } from './timer-slots.js';

export interface TimerServiceDeps {
  readonly store: ScheduleStore & { readonly maxPhysicalOffset: number };
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly storeHost: HostAddress;
  readonly slots: TimerSlots;
  readonly checkpoint: TimerCheckpoint;
  /** How often due slots are looked for when nothing arrives. */
  readonly tickMs: number;
  /** How often the enqueue offset is written (flushDelayOffsetInterval). */
  readonly flushIntervalMs: number;
  /**
   * The furthest ahead a message is filed: one due later is filed at now + this, and then written to the
   * timer topic again (rolled) instead of delivered, so that its record outlives CommitLog retention.
   */
  readonly rollWindowMs: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

const ENQUEUE_BATCH = 256;
const COMMIT_POLL_MS = 5;
const COMMIT_WAIT_MS = 30_000;

/**
 * Messages with a delivery time (RocketMQ 5.x's TimerMessageStore, on slot files instead of a wheel and
 * log): each round takes new entries of rmq_sys_wheel_timer into the slot of their time (or re-puts them
 * at once when that slot has passed), then re-puts the messages of every slot whose window has passed and
 * removes its file. Progress is the slot files themselves plus the enqueue offset, which moves only once
 * the slot files and the direct re-puts are in their files, and is written every flush interval and at stop.
 * After a crash, entries taken since the last write are taken again: a slot file counts each once, but
 * one already delivered, or re-put at once for being due, is delivered a second time.
 */
export class TimerService {
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly deps: TimerServiceDeps) {}

  /**
   * Rounds one after the other; between two, a wait until the next slot's window ends (so a slot goes out
   * right when it is due), a new timer message arrives, or a tick passes, whichever comes first.
   */
  readonly loop$: Observable<never> = defer(() =>
    merge(
      defer(() => this.guardedRound()).pipe(repeat({ delay: () => this.nextWake$() })),
      interval(this.deps.flushIntervalMs, this.deps.scheduler).pipe(
        concatMap(() => defer(() => this.persist())),
      ),
    ).pipe(ignoreElements()),
  );

  private nextWake$(): Observable<unknown> {
    const { slots, scheduler, tickMs } = this.deps;
    const next = slots.nextDueAt();
    const wait = next === undefined ? tickMs : Math.max(0, Math.min(tickMs, next - scheduler.now()));
    return race(
      timer(wait, scheduler),
      this.deps.store.arrivals$.pipe(filter((info) => info.topic === TIMER_TOPIC)),
    ).pipe(take(1));
  }

  /** Lets the round in progress finish its slot and its enqueue batch, starts no other, writes the offset. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.persist();
  }

  private async persist(): Promise<void> {
    await this.deps.checkpoint.persist().catch((error: unknown) => {
      this.deps.logger.error({ error: String(error) }, 'timer enqueue offset not persisted');
    });
  }

  private guardedRound(): Promise<void> {
    this.running = this.round().catch((error: unknown) => {
      this.deps.logger.error({ error: String(error) }, 'timer round failed; retried at the next tick');
    });
    return this.running;
  }

  private async round(): Promise<void> {
    let read = ENQUEUE_BATCH;
    while (!this.stopping && read === ENQUEUE_BATCH) read = await this.enqueueBatch();
    for (const slot of this.deps.slots.dueSlots(this.deps.scheduler.now())) {
      if (this.stopping) return;
      const entries = await this.deps.slots.read(slot);
      // Filed early for being too far ahead: not due yet, so written to the timer topic again.
      const slotOf = (entry: SlotEntry): number => this.deps.slots.slotOf(entry.deliverAt);
      const rolled = entries.filter((entry) => slotOf(entry) > slot);
      await this.deliverAll(entries.filter((entry) => slotOf(entry) <= slot));
      await this.deliverAll(rolled, rollInput);
      await this.deps.slots.remove(slot);
    }
  }

  /** Takes one batch of the timer topic's queue into slot files; resolves with how many entries it read. */
  private async enqueueBatch(): Promise<number> {
    const { store, slots, checkpoint } = this.deps;
    const entries = await store.readQueue(TIMER_TOPIC, 0, checkpoint.enqueueOffset, ENQUEUE_BATCH);
    if (entries.length === 0) return 0;
    const now = this.deps.scheduler.now();
    const due: SlotEntry[] = [];
    const waiting: SlotEntry[] = [];
    for (const entry of entries) {
      const slotEntry = {
        deliverAt: entry.tagsCode,
        physicalOffset: entry.physicalOffset,
        size: entry.size,
        queueOffset: entry.queueOffset,
      };
      (slots.isDue(slots.slotOf(entry.tagsCode), now) ? due : waiting).push(slotEntry);
    }
    await slots.append(waiting, (entry) => Math.min(entry.deliverAt, now + this.deps.rollWindowMs));
    await this.deliverAll(due.sort((a, b) => a.deliverAt - b.deliverAt));
    checkpoint.advance(entries.at(-1)!.queueOffset + 1);
    return entries.length;
  }

  /** Re-puts the messages in order (on their topic, or rolled) and resolves once the CommitLog file holds them. */
  private async deliverAll(
    entries: readonly SlotEntry[],
    inputOf?: (record: Buffer, storeHost: HostAddress) => MessageRecordInput | undefined,
  ): Promise<void> {
    const deps = {
      readRecords: (spans: readonly SlotEntry[]) => this.deps.store.readRecords(spans),
      put: this.deps.put,
      storeHost: this.deps.storeHost,
      logger: this.deps.logger,
    };
    const end = await rePutAll(entries, deps, inputOf);
    const deadline = this.deps.scheduler.now() + COMMIT_WAIT_MS;
    while (this.deps.store.maxPhysicalOffset < end) {
      if (this.deps.scheduler.now() > deadline) {
        throw new RxRocketError('ERR_TIMER', `timer re-puts not committed within ${COMMIT_WAIT_MS} ms`);
      }
      await firstValueFrom(timer(COMMIT_POLL_MS, this.deps.scheduler));
    }
  }
}
