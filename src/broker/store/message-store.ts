import { mkdir } from 'node:fs/promises';
import {
  type Observable,
  type SchedulerLike,
  Subject,
  type Subscription,
  asyncScheduler,
  defer,
  filter,
  firstValueFrom,
  map,
  of,
  timeout,
} from 'rxjs';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import type { MessageRecordInput } from '../../protocol/message.js';
import type { StoreCheckpoint } from './checkpoint.js';
import type { CommitLog, LogSpan } from './commit-log.js';
import type { ConsumeQueueEntry, ConsumeQueueTable } from './consume-queue-table.js';
import { type GetMessageRequest, type GetMessageResult, getMessage } from './get-message.js';
import type { IndexThread } from './index-thread.js';
import type {
  MessageStoreOptions,
  PutOptions,
  PutResult,
  QueryResult,
  StoreConfig,
} from './message-store-types.js';
import { OffsetWaiters } from './offset-waiters.js';
import { openStoreParts } from './open-store.js';
import { prepareBatch } from './prepare-batch.js';
import { queryMessage } from './query-message.js';
import type { Reput } from './reput.js';
import { StoreBusyError, StoreUnavailableError } from './store-errors.js';
import { flushLogics } from './store-services.js';
import { abortFile } from './store-lock.js';
import { storeLoops$ } from './store-loops.js';
import { WriteRefusal } from './write-refusal.js';

// Most callers that put messages take these two from here, with the store itself.
export type { PutOptions, PutResult } from './message-store-types.js';

/** Appended bytes the disk has not taken yet, above which puts are refused as busy. */
const MAX_UNCOMMITTED_BYTES = 256 * 1024 * 1024;

/**
 * The broker's message store (RocketMQ's DefaultMessageStore): a CommitLog, ConsumeQueues and an index
 * on real files, recovered at open, kept by background loops while open, flushed and checkpointed by
 * `shutdown()`.
 */
export class MessageStore {
  private readonly appended = new Subject<void>();
  private readonly arrivals = new Subject<DispatchInfo>();
  private readonly reputProgress = new Subject<number>();
  private readonly flushWaiters = new OffsetWaiters();
  private readonly services: Subscription;
  private readonly manualClean = new Subject<void>();
  private readonly refusal: WriteRefusal;
  private closed = false;

  /** Every message made consumable, once its ConsumeQueue entry can be read: long polling listens here. */
  readonly arrivals$: Observable<DispatchInfo> = this.arrivals.asObservable();

  private constructor(
    private readonly config: StoreConfig,
    private readonly commitLog: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly index: IndexThread | undefined,
    private readonly checkpoint: StoreCheckpoint,
    private readonly reput: Reput,
    private readonly unlock: () => Promise<void>,
    private readonly logger: Logger,
    private readonly scheduler: SchedulerLike,
    private readonly options: MessageStoreOptions,
  ) {
    const { diskUsage, flushTimed } = options;
    this.refusal = new WriteRefusal(config.storePathRootDir, logger, options.refuseWrites);
    this.services = storeLoops$(config, { commitLog, reput, queues, index, checkpoint }, logger, scheduler, {
      appended$: this.appended,
      manualClean$: this.manualClean,
      flushWaiters: this.flushWaiters,
      arrivals: this.arrivals,
      reputProgress: this.reputProgress,
      refusal: this.refusal,
      ...(diskUsage === undefined ? {} : { diskUsage }),
      ...(flushTimed === undefined ? {} : { flushTimed }),
    }).subscribe();
  }

  static async open(config: StoreConfig, options: MessageStoreOptions): Promise<MessageStore> {
    const logger = options.logger.child({ component: 'store' });
    await mkdir(config.storePathRootDir, { recursive: true });
    const parts = await openStoreParts(config, logger, options.tagsCodeOf);
    const store = new MessageStore(
      config,
      parts.commitLog,
      parts.queues,
      parts.index,
      parts.checkpoint,
      parts.reput,
      parts.unlock,
      logger,
      options.scheduler ?? asyncScheduler,
      options,
    );
    await abortFile.create(config.storePathRootDir);
    return store;
  }

  get minPhysicalOffset(): number {
    return this.commitLog.minOffset;
  }

  get maxPhysicalOffset(): number {
    return this.commitLog.maxOffset;
  }

  /** Each reput run's end offset: committed bytes up to there are readable (HA's master waits on it). */
  get dispatched$(): Observable<number> {
    return this.reputProgress.asObservable();
  }

  /** Committed CommitLog bytes from `offset` to the end of its segment, at most `maxBytes` (what HA sends). */
  readCommitLog(offset: number, maxBytes: number): Promise<Buffer> {
    return this.commitLog.readFrom(offset, maxBytes);
  }

  /** End of everything appended, committed or not: where a slave's next replicated bytes must start. */
  get wrotePhysicalOffset(): number {
    return this.commitLog.wroteOffset;
  }

  /**
   * A slave's append of the master's bytes at `offset` (which must be where its log ends); resolves with the
   * committed offset once they are in the file, which is what the slave reports to the master.
   */
  async appendReplicated(offset: number, bytes: Buffer): Promise<number> {
    if (this.closed) throw new StoreUnavailableError('the store is shutting down');
    await this.commitLog.appendReplicated(offset, bytes);
    this.appended.next();
    return this.commitLog.commit();
  }

  /** Bytes appended to the CommitLog but not yet in ConsumeQueues (committing or dispatching). */
  get dispatchBehindBytes(): number {
    return this.reput.behind;
  }

  put(input: MessageRecordInput, options: PutOptions = {}): Promise<PutResult> {
    return this.putRecords([input], options);
  }

  /** A batch: stored back to back in one segment with consecutive queue offsets. */
  putBatch(inputs: readonly MessageRecordInput[], options: PutOptions = {}): Promise<PutResult> {
    return this.putRecords(inputs, options);
  }

  put$(input: MessageRecordInput, options: PutOptions = {}): Observable<PutResult> {
    return defer(() => this.put(input, options));
  }

  private async putRecords(inputs: readonly MessageRecordInput[], options: PutOptions): Promise<PutResult> {
    this.refusal.check();
    const prepared = prepareBatch(inputs, this.config.maxMessageSize);
    if (this.commitLog.wroteOffset - this.commitLog.maxOffset > MAX_UNCOMMITTED_BYTES) {
      throw new StoreBusyError('[PC_SYNCHRONIZED]broker busy: the disk is behind the write buffer');
    }
    const now = this.scheduler.now();
    const result = this.commitLog.append(prepared, now);
    const records = Array.isArray(result) ? result : await result;
    this.appended.next();
    if (options.waitStoreMsgOK === false) return { status: 'PUT_OK', records };
    const last = records.at(-1)!;
    const end = last.physicalOffset + last.size;
    let status: PutResult['status'] = 'PUT_OK';
    // ASYNC_FLUSH (RocketMQ's transientStorePool path): stored once in the write buffer.
    if (this.config.flushDiskType === 'SYNC_FLUSH') {
      const stored = await new Promise<boolean>((resolve) => {
        this.flushWaiters.wait(end, now + this.config.syncFlushTimeout, resolve);
      });
      if (!stored) status = 'FLUSH_DISK_TIMEOUT';
    }
    const awaitReplica = this.options.awaitReplica;
    if (awaitReplica !== undefined) {
      const replica = await awaitReplica(end, this.scheduler.now());
      if (replica !== 'PUT_OK') status = replica;
    }
    return { status, records };
  }

  getMessage(topic: string, queueId: number, request: GetMessageRequest): Promise<GetMessageResult> {
    return getMessage(this.commitLog, this.queues.find(topic, queueId), request);
  }

  /** The record at a physical offset (an offset msgId's), or undefined. */
  readRecord(physicalOffset: number): Promise<Buffer | undefined> {
    return this.commitLog.readRecord(physicalOffset);
  }

  /** The records at these spans, read with as few file reads as they allow; a span already deleted is left out. */
  readRecords(spans: readonly LogSpan[]): Promise<Buffer[]> {
    return this.commitLog.readSpans(spans);
  }

  /** Up to `maxCount` ConsumeQueue entries from `from` (or the first one kept); none without the queue. */
  readQueue(topic: string, queueId: number, from: number, maxCount: number): Promise<ConsumeQueueEntry[]> {
    const queue = this.queues.find(topic, queueId);
    return queue === undefined ? Promise.resolve([]) : queue.read(from, maxCount);
  }

  minOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.minOffset ?? 0;
  }

  maxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.maxOffset ?? 0;
  }

  async offsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    const queue = this.queues.find(topic, queueId);
    if (queue === undefined) return 0;
    return queue.offsetByTime(timestamp, (entry) => this.commitLog.storeTimestampAt(entry.physicalOffset));
  }

  /** Messages of `topic` whose KEYS or UNIQ_KEY is `key`, stored within [begin, end] ms, newest first. */
  async queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryResult> {
    if (this.index === undefined) return { records: [], lastUpdateTimestamp: 0, lastUpdatePhysicalOffset: 0 };
    return queryMessage(this.index, this.commitLog, this.reput.reputFromOffset, {
      topic,
      key,
      maxNum,
      begin,
      end,
    });
  }

  /**
   * Deletes the topic's ConsumeQueues once everything appended so far is dispatched: a record of the topic
   * still waiting for reput would otherwise re-create a queue behind the delete.
   */
  async deleteTopic(topic: string): Promise<void> {
    const target = this.commitLog.wroteOffset;
    if (this.reput.reputFromOffset < target) {
      this.appended.next();
      const reached = await firstValueFrom(
        this.reputProgress.pipe(
          filter((offset) => offset >= target),
          map(() => true),
          timeout({ first: this.config.syncFlushTimeout, with: () => of(false), scheduler: this.scheduler }),
        ),
      );
      if (!reached) this.logger.warn({ topic, target }, 'deleting a topic before dispatch caught up with it');
    }
    await this.queues.deleteTopic(topic);
    this.commitLog.removeQueueOffsets(topic);
  }

  /** RocketMQ's executeDeleteFilesManually: the next clean run deletes expired segments whatever the hour. */
  deleteExpiredFilesNow(): void {
    this.manualClean.next();
  }

  /** Stops the loops, brings everything to disk, writes the checkpoint, removes the abort file, unlocks. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.refusal.shuttingDown();
    this.services.unsubscribe();
    try {
      await this.commitLog.commit();
      this.flushWaiters.advance(await this.commitLog.flush());
      await this.reput.dispatchToEnd((info) => {
        this.arrivals.next(info);
      });
      await flushLogics({
        reput: this.reput,
        queues: this.queues,
        index: this.index,
        commitLog: this.commitLog,
        checkpoint: this.checkpoint,
      });
    } finally {
      this.flushWaiters.failAll();
      this.arrivals.complete();
      await this.queues.close();
      await this.index?.close(this.reput.reputFromOffset);
      await this.commitLog.close();
      await this.checkpoint.close();
    }
    await abortFile.remove(this.config.storePathRootDir);
    await this.unlock();
    this.logger.info({ maxPhysicalOffset: this.commitLog.maxOffset }, 'store shut down cleanly');
  }
}
