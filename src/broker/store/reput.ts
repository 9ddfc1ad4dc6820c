import type { Logger } from '../../logger.js';
import { type DispatchInfo, readDispatchInfo } from '../../protocol/message-codec.js';
import { SysFlag } from '../../protocol/message.js';
import { NoRecord, recordSizeAt } from '../../protocol/record-frame.js';
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';

const READ_CHUNK = 4 * 1024 * 1024;
/** Backlog records dispatched before reput lets other work run. */
const YIELD_EVERY = 4096;

/** Normal and committed-transaction records are consumable; half and rollback records are not. */
const isConsumable = (sysFlag: number): boolean => {
  const tx = sysFlag & SysFlag.TRANSACTION_MASK;
  return tx === SysFlag.TRANSACTION_NOT_TYPE || tx === SysFlag.TRANSACTION_COMMIT_TYPE;
};

/**
 * RocketMQ's ReputMessageService as a step: reads committed CommitLog bytes past `reputFromOffset` and
 * builds ConsumeQueue entries from them; index entries are the index thread's (IndexThread). Each call runs
 * to the current end; the service loop calls it whenever a commit lands. Re-dispatching a record already in its ConsumeQueue is harmless
 * (the queue skips it), which is what makes starting recovery's re-dispatch early safe.
 */
export class Reput {
  /** Store timestamp of the last record dispatched (the checkpoint's logicsMsgTimestamp, once flushed). */
  lastDispatchedTimestamp = 0;

  constructor(
    public reputFromOffset: number,
    private readonly commitLog: CommitLog,
    private readonly queues: ConsumeQueueTable,
    private readonly logger: Logger,
    /** The ConsumeQueue tag slot of a record: its tag hash, unless the schedule keeps a delivery time there. */
    private readonly tagsCodeOf: (info: DispatchInfo) => number = (info) => info.tagsCode,
  ) {}

  get behind(): number {
    return this.commitLog.wroteOffset - this.reputFromOffset;
  }

  /**
   * Dispatches every committed record; `arrived` hears each consumable one once its ConsumeQueue entry
   * is readable. Records this process appended come from the CommitLog's backlog; anything else is read
   * from the log. Resolves with the new reput offset.
   */
  async dispatchToEnd(arrived?: (info: DispatchInfo) => void): Promise<number> {
    const backlog = this.commitLog.backlog;
    while (this.reputFromOffset < this.commitLog.maxOffset) {
      if (this.reputFromOffset < this.commitLog.minOffset) this.reputFromOffset = this.commitLog.minOffset;
      const end = this.commitLog.maxOffset;
      let info = backlog.take(this.reputFromOffset, end);
      if (info !== undefined) {
        const dispatched: DispatchInfo[] = [];
        for (let n = 0; info !== undefined && n < YIELD_EVERY; n++) {
          const pending = this.dispatchOne(info, dispatched);
          if (pending !== undefined) await pending;
          this.reputFromOffset = info.physicalOffset + info.size;
          info = n + 1 < YIELD_EVERY ? backlog.take(this.reputFromOffset, end) : undefined;
        }
        if (arrived !== undefined) for (const d of dispatched) arrived(d);
        // A long backlog is dispatched in slices so that puts and pulls get the event loop in between.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const chunk = await this.commitLog.readFrom(this.reputFromOffset, READ_CHUNK);
      if (chunk.length === 0) break;
      const { consumed, jumpTo, dispatched } = await this.dispatchChunk(chunk);
      this.reputFromOffset = jumpTo ?? this.reputFromOffset + consumed;
      if (arrived !== undefined) for (const d of dispatched) arrived(d);
      if (consumed === 0 && jumpTo === undefined) break;
    }
    if (this.reputFromOffset >= this.commitLog.wroteOffset) backlog.caughtUp();
    return this.reputFromOffset;
  }

  private async dispatchChunk(chunk: Buffer): Promise<{
    consumed: number;
    jumpTo: number | undefined;
    dispatched: DispatchInfo[];
  }> {
    const dispatched: DispatchInfo[] = [];
    let at = 0;
    for (;;) {
      const size = recordSizeAt(chunk, at, chunk.length);
      if (size === NoRecord.BLANK) {
        const fileSize = this.commitLog.fileSize;
        const start = this.reputFromOffset + at;
        return { consumed: at, jumpTo: start - (start % fileSize) + fileSize, dispatched };
      }
      if (size === NoRecord.NOT_A_RECORD) {
        this.logger.error(
          {
            offset: this.reputFromOffset + at,
            size: chunk.readInt32BE(at),
            magic: chunk.readInt32BE(at + 4),
          },
          'reput found bytes that are not a record below the committed offset; dispatch stops here',
        );
        break;
      }
      if (size === NoRecord.PARTIAL) break;
      const pending = this.dispatchOne(readDispatchInfo(chunk, at, at + size), dispatched);
      if (pending !== undefined) await pending;
      at += size;
    }
    return { consumed: at, jumpTo: undefined, dispatched };
  }

  /** The ConsumeQueue entry of one record; synchronous unless a queue file is created. */
  private dispatchOne(info: DispatchInfo, dispatched: DispatchInfo[]): Promise<void> | undefined {
    if (isConsumable(info.sysFlag)) {
      const queue = this.queues.find(info.topic, info.queueId);
      if (queue === undefined) {
        return this.queues
          .findOrCreate(info.topic, info.queueId)
          .then(() => this.dispatchOne(info, dispatched));
      }
      const put = queue.put({
        queueOffset: info.queueOffset,
        physicalOffset: info.physicalOffset,
        size: info.size,
        tagsCode: this.tagsCodeOf(info),
      });
      if (typeof put !== 'boolean') {
        return put.then((fresh) => {
          if (fresh) dispatched.push(info);
          this.lastDispatchedTimestamp = info.storeTimestamp;
        });
      }
      if (put) dispatched.push(info);
    }
    this.lastDispatchedTimestamp = info.storeTimestamp;
    return undefined;
  }
}
