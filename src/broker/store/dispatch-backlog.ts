import { javaStringHashCode } from '../../protocol/java-hash.js';
import type { DispatchInfo, PreparedRecord } from '../../protocol/message-codec.js';
import { MessageProperty, propertyValue } from '../../protocol/properties.js';
import type { StoredPosition } from '../../protocol/message.js';

/** Records kept for reput at most; past that reput is far behind and reads the log instead. */
const DEFAULT_LIMIT = 65_536;

/** A record's dispatch fields from what the put already holds, without encoding or parsing bytes. */
export function dispatchInfoOf(record: PreparedRecord, position: StoredPosition): DispatchInfo {
  const { input } = record;
  const tags = propertyValue(input.properties, MessageProperty.TAGS);
  return {
    size: record.length,
    topic: input.topic,
    queueId: input.queueId,
    queueOffset: position.queueOffset,
    physicalOffset: position.physicalOffset,
    storeTimestamp: position.storeTimestamp,
    bornTimestamp: input.bornTimestamp,
    sysFlag: record.sysFlag,
    preparedTransactionOffset: input.preparedTransactionOffset,
    tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
    propertiesText: input.properties,
  };
}

/**
 * What the CommitLog appended in this process, in log order, as reput needs it: reput takes records from
 * here rather than reading back and parsing the bytes it watched being written. Reput still reads the log
 * for everything else (recovery, a slave's replicated bytes, a BLANK at a segment's end) and whenever this
 * was dropped for falling too far behind; recording resumes once reput has caught up.
 */
export class DispatchBacklog {
  private items: DispatchInfo[] = [];
  private head = 0;
  private recording = true;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  get size(): number {
    return this.items.length - this.head;
  }

  record(record: PreparedRecord, position: StoredPosition): void {
    if (!this.recording) return;
    if (this.size >= this.limit) {
      this.items = [];
      this.head = 0;
      this.recording = false;
      return;
    }
    this.items.push(dispatchInfoOf(record, position));
  }

  /** The record appended at `offset`, if it is known and ends by `end`; older records are let go. */
  take(offset: number, end: number): DispatchInfo | undefined {
    while (this.head < this.items.length && this.items[this.head]!.physicalOffset < offset) this.head += 1;
    const item = this.items[this.head];
    if (item?.physicalOffset !== offset || offset + item.size > end) return undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Reput has dispatched everything appended: what is appended from now on can be recorded again. */
  caughtUp(): void {
    this.recording = true;
  }
}
