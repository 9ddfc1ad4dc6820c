import { readDispatchInfo } from '../../protocol/message-codec.js';
import { NoRecord, recordSizeAt } from '../../protocol/record-frame.js';
import type { CommitLogReader } from './commit-log-reader.js';
import { indexKeysOf } from './index-keys.js';
import type { IndexService } from './index-service.js';

const READ_CHUNK = 4 * 1024 * 1024;

export type BuilderLog = (fields: Record<string, unknown>, message: string) => void;

/**
 * Index building off the put path: reads the CommitLog's committed records from their files, in log order,
 * and gives each one's keys to the index service. The store announces how far it has dispatched; a
 * re-read record is harmless (the index service skips offsets it has).
 */
export class IndexBuilder {
  private position = 0;
  private target = 0;
  private buffer: Buffer;
  private stuckAt = -1;

  constructor(
    private readonly index: IndexService,
    private readonly reader: CommitLogReader,
    private readonly logError: BuilderLog,
    chunkBytes = READ_CHUNK,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkBytes);
  }

  /** Where reading (re)starts: recovery's re-dispatch offset. */
  startFrom(offset: number): void {
    this.position = offset;
    this.target = Math.max(this.target, offset);
  }

  /** Records before `end` are committed and dispatched: they may be indexed. */
  announce(end: number): void {
    if (end > this.target) this.target = end;
  }

  get behind(): boolean {
    return this.position < this.target;
  }

  /** Indexes everything announced, `through` included; stops early at bytes that are not a record. */
  async catchUp(through = this.target): Promise<void> {
    this.announce(through);
    while (this.position < this.target) {
      if (!(await this.step(this.target))) return;
    }
  }

  private async step(end: number): Promise<boolean> {
    const from = this.position;
    const read = this.reader.read(from, end - from, this.buffer);
    if (read === undefined) {
      const next = this.reader.nextSegmentFrom(from);
      if (next === undefined || next <= from) return false;
      this.position = next;
      return true;
    }
    const buf = this.buffer;
    let at = 0;
    for (;;) {
      const size = recordSizeAt(buf, at, read);
      if (size === NoRecord.BLANK) {
        this.position = this.reader.segmentStart(from) + this.reader.fileSize;
        return true;
      }
      if (size === NoRecord.NOT_A_RECORD) {
        if (this.stuckAt !== from + at) {
          this.stuckAt = from + at;
          this.logError(
            { offset: from + at, size: buf.readInt32BE(at), magic: buf.readInt32BE(at + 4) },
            'index building found bytes that are not a record',
          );
        }
        this.position = from + at;
        return false;
      }
      if (size === NoRecord.PARTIAL) {
        // A record larger than the buffer is read whole on the next step.
        if (at === 0 && read >= 8 && buf.readInt32BE(0) > buf.length) {
          this.buffer = Buffer.allocUnsafe(buf.readInt32BE(0));
        }
        break;
      }
      const info = readDispatchInfo(buf, at, at + size);
      const keys = indexKeysOf(info);
      if (keys.length > 0) {
        const added = this.index.add(keys, info.physicalOffset, info.storeTimestamp);
        if (added !== undefined) await added;
      }
      at += size;
    }
    this.position = from + at;
    return at > 0 || this.buffer !== buf;
  }
}
