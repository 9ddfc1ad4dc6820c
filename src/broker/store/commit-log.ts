import { readLong } from '../../protocol/long-field.js';
import { type PreparedRecord, writeBlank, writeRecord } from '../../protocol/message-codec.js';
import { SysFlag } from '../../protocol/message.js';
import { MessageIllegalError } from '../../protocol/message-illegal-error.js';
import type { MappedFile } from './mapped-file.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import { DispatchBacklog } from './dispatch-backlog.js';
import { type LogSpan, readLogSpans } from './read-log-spans.js';
import { appendReplicatedBytes } from './replicated-append.js';

export type { LogSpan } from './read-log-spans.js';

/** Where a record landed. */
export interface AppendedRecord {
  readonly physicalOffset: number;
  readonly queueOffset: number;
  readonly size: number;
  readonly storeTimestamp: number;
}

const END_OF_FILE_MIN_BLANK = 8;

const queueKey = (topic: string, queueId: number): string => `${topic}-${queueId}`;

/** Half and rollback records take no ConsumeQueue slot (RocketMQ's CommitLog.doAppend). */
const takesQueueSlot = (sysFlag: number): boolean => {
  const tx = sysFlag & SysFlag.TRANSACTION_MASK;
  return tx !== SysFlag.TRANSACTION_PREPARED_TYPE && tx !== SysFlag.TRANSACTION_ROLLBACK_TYPE;
};

/**
 * The CommitLog: every message of every topic, appended in one order into fixed-size segments, in RocketMQ's
 * record format. Appending is synchronous (the put lock is the event loop) except when a segment must be
 * created; appends that arrive during a roll queue behind it, so the log order is the call order. The
 * caller commits and flushes (see store services); readers see committed bytes only.
 */
export class CommitLog {
  private readonly nextQueueOffsets = new Map<string, number>();
  /** Appended records for reput, so it need not read back what it watched being written. */
  readonly backlog = new DispatchBacklog();
  private rolling: Promise<unknown> = Promise.resolve();
  private waitingForSegment = 0;
  /** Store timestamp of the newest record appended / committed / flushed (the checkpoint's physicMsgTimestamp). */
  lastAppendTimestamp = 0;
  committedTimestamp = 0;
  flushedTimestamp = 0;

  private constructor(readonly files: MappedFileQueue) {}

  /** `dsync`: SYNC_FLUSH, where a commit that returns is on disk. */
  static async load(
    dir: string,
    fileSize: number,
    options: { readonly dsync?: boolean } = {},
  ): Promise<CommitLog> {
    const chunkSize = Math.min(4 * 1024 * 1024, fileSize);
    return new CommitLog(
      await MappedFileQueue.load(dir, fileSize, {
        prepareNext: true,
        chunkSize,
        dsync: options.dsync === true,
      }),
    );
  }

  get fileSize(): number {
    return this.files.fileSize;
  }

  get minOffset(): number {
    return this.files.minOffset;
  }

  /** End of what readers, reput and replication may see. */
  get maxOffset(): number {
    return this.files.committedOffset;
  }

  get wroteOffset(): number {
    return this.files.wroteOffset;
  }

  get flushedOffset(): number {
    return this.files.flushedOffset;
  }

  /** Commit writes on their way to the file. */
  get writesInFlight(): number {
    let count = 0;
    for (const file of this.files.files.slice(-2)) count += file.writesInFlight;
    return count;
  }

  nextQueueOffset(topic: string, queueId: number): number {
    return this.nextQueueOffsets.get(queueKey(topic, queueId)) ?? 0;
  }

  setNextQueueOffset(topic: string, queueId: number, next: number): void {
    this.nextQueueOffsets.set(queueKey(topic, queueId), next);
  }

  removeQueueOffsets(topic: string): void {
    for (const key of [...this.nextQueueOffsets.keys()]) {
      if (key.slice(0, key.lastIndexOf('-')) === topic) this.nextQueueOffsets.delete(key);
    }
  }

  /**
   * Appends `records` back to back in one segment (a batch never spans two), assigning each its physical
   * offset, queue offset and store timestamp. Returns at once unless a segment must be created.
   */
  append(records: readonly PreparedRecord[], now: number): AppendedRecord[] | Promise<AppendedRecord[]> {
    let total = 0;
    for (const record of records) total += record.length;
    if (total + END_OF_FILE_MIN_BLANK > this.fileSize) {
      throw new MessageIllegalError(
        `${total} bytes of records do not fit a ${this.fileSize}-byte CommitLog segment`,
      );
    }
    if (this.waitingForSegment === 0) {
      const done = this.appendNow(records, total, now);
      if (done !== undefined) return done;
    }
    // A segment is being created: queue behind it (and behind every append already queued) to keep order.
    this.waitingForSegment += 1;
    const run = this.rolling.then(async () => {
      try {
        for (;;) {
          const done = this.appendNow(records, total, now);
          if (done !== undefined) return done;
          await this.files.writable();
        }
      } finally {
        this.waitingForSegment -= 1;
      }
    });
    this.rolling = run.catch(() => undefined);
    return run;
  }

  private appendNow(
    records: readonly PreparedRecord[],
    total: number,
    now: number,
  ): AppendedRecord[] | undefined {
    let file = this.files.writableNow();
    if (file !== undefined && total + END_OF_FILE_MIN_BLANK > file.remaining) {
      const remaining = file.remaining;
      const blank = file.reserve(remaining);
      writeBlank(blank.buffer, blank.offset, remaining);
      blank.buffer.fill(0, blank.offset + END_OF_FILE_MIN_BLANK, blank.offset + remaining);
      file = this.files.writableNow();
    }
    if (file === undefined) return undefined;
    return this.writeInto(file, records, total, now);
  }

  private writeInto(
    file: MappedFile,
    records: readonly PreparedRecord[],
    total: number,
    now: number,
  ): AppendedRecord[] {
    const { buffer, offset } = file.reserve(total);
    let physicalOffset = file.fileFromOffset + file.wrotePosition - total;
    let at = offset;
    const appended: AppendedRecord[] = [];
    for (const record of records) {
      let queueOffset = 0;
      if (takesQueueSlot(record.sysFlag)) {
        const key = queueKey(record.input.topic, record.input.queueId);
        queueOffset = this.nextQueueOffsets.get(key) ?? 0;
        this.nextQueueOffsets.set(key, queueOffset + 1);
      }
      const position = { physicalOffset, queueOffset, storeTimestamp: now };
      writeRecord(buffer, at, record, position);
      this.backlog.record(record, position);
      appended.push({ physicalOffset, queueOffset, size: record.length, storeTimestamp: now });
      physicalOffset += record.length;
      at += record.length;
    }
    file.lastStoreTimestamp = now;
    this.lastAppendTimestamp = now;
    return appended;
  }

  /** A slave's append of the master's bytes, as they are: see appendReplicatedBytes. */
  appendReplicated(offset: number, bytes: Buffer): Promise<void> {
    return appendReplicatedBytes(this, offset, bytes);
  }

  /** Hands appended bytes to the file system; resolves with the committed offset. */
  async commit(): Promise<number> {
    const timestamp = this.lastAppendTimestamp;
    const committed = await this.files.commit();
    this.committedTimestamp = Math.max(this.committedTimestamp, timestamp);
    return committed;
  }

  /** fdatasync; resolves with the flushed offset. */
  async flush(): Promise<number> {
    const timestamp = this.committedTimestamp;
    const flushed = await this.files.flush();
    this.flushedTimestamp = Math.max(this.flushedTimestamp, timestamp);
    return flushed;
  }

  /** Committed bytes from `offset` to the end of its segment (at most `maxBytes`), for reput and HA. */
  async readFrom(offset: number, maxBytes: number): Promise<Buffer> {
    const file = this.files.findByOffset(offset);
    if (file === undefined) return Buffer.alloc(0);
    if (!file.acquire()) return Buffer.alloc(0);
    try {
      return await file.read(offset - file.fileFromOffset, maxBytes);
    } finally {
      file.release();
    }
  }

  /** The record that starts at `physicalOffset`, or undefined when nothing readable is there. */
  async readRecord(physicalOffset: number): Promise<Buffer | undefined> {
    const file = this.files.findByOffset(physicalOffset);
    if (file === undefined) return undefined;
    if (!file.acquire()) return undefined;
    try {
      // From the write buffer too: a msgId looked up right after its send was acknowledged must be found.
      const at = physicalOffset - file.fileFromOffset;
      const head = await file.readWritten(at, 4);
      const size = head.length === 4 ? head.readInt32BE(0) : 0;
      if (size <= 0) return undefined;
      const record = await file.readWritten(at, size);
      return record.length === size ? record : undefined;
    } finally {
      file.release();
    }
  }

  /** The bytes of each span, in order, as views, reading nearby spans together: see readLogSpans. */
  readSpans(spans: readonly LogSpan[]): Promise<Buffer[]> {
    return readLogSpans(this.files, spans);
  }

  /** Store timestamp of the record at `physicalOffset` (ConsumeQueue time search), -1 if unreadable. */
  async storeTimestampAt(physicalOffset: number): Promise<number> {
    const head = await this.readFrom(physicalOffset, 72);
    if (head.length < 72) return -1;
    const bornV6 = (head.readInt32BE(36) & SysFlag.BORNHOST_V6) !== 0;
    return readLong(head, bornV6 ? 68 : 56);
  }

  async close(): Promise<void> {
    await this.rolling;
    await this.files.close();
  }
}
