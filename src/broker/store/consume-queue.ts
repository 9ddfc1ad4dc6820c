import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RxRocketError } from '../../errors.js';
import type { MappedFile } from './mapped-file.js';
import { MappedFileQueue } from './mapped-file-queue.js';
import {
  type ConsumeQueueEntry,
  ENTRY_CHUNK,
  ENTRY_SIZE,
  readEntries,
  writeEntry,
} from './consume-queue-entry.js';
import { isBlank, isValid, scan } from './consume-queue-scan.js';

/**
 * One topic-queue's index into the CommitLog (RocketMQ's ConsumeQueue): entry L of the log sits at byte
 * L*20 across segments named by their first byte. Only the first segment may start with blank entries,
 * from a queue that began (or restarted) part-way through a segment.
 */
export class ConsumeQueue {
  private minLogical = 0;
  private lastPhysicalEnd = -1;
  /** The newest put still waiting for a segment; later puts chain behind it to keep queue order. */
  private blocked: Promise<boolean> | undefined;

  private constructor(
    readonly topic: string,
    readonly queueId: number,
    private readonly files: MappedFileQueue,
  ) {}

  /** Opens the queue's segments; positions stay at "every segment full" until `recover()`. */
  static async load(dir: string, topic: string, queueId: number, fileSize: number): Promise<ConsumeQueue> {
    if (!Number.isSafeInteger(fileSize) || fileSize <= 0 || fileSize % ENTRY_SIZE !== 0) {
      throw new RxRocketError('ERR_STORE_CONFIG', `ConsumeQueue file size ${fileSize}: not a multiple of 20`);
    }
    const files = await MappedFileQueue.load(join(dir, topic, String(queueId)), fileSize, {
      chunkSize: ENTRY_CHUNK,
      prepareNext: false,
    });
    const queue = new ConsumeQueue(topic, queueId, files);
    const first = files.first;
    if (first !== undefined)
      queue.minLogical = (first.fileFromOffset + (await scan(first, 0, isBlank))) / ENTRY_SIZE;
    return queue;
  }

  get minOffset(): number {
    return this.minLogical;
  }

  /** Appended entries count: readers see them at once (from the write buffer until the lazy commit). */
  get maxOffset(): number {
    return this.nextOffset;
  }

  get nextOffset(): number {
    return Math.max(this.files.wroteOffset / ENTRY_SIZE, this.minLogical);
  }

  get maxPhysicalEnd(): number {
    return this.lastPhysicalEnd;
  }

  /**
   * Appends the entry for `entry.queueOffset`; false for a re-dispatch of an offset already held. A gap
   * restarts the queue at that offset: segments must be contiguous and blanks may only lead the first one,
   * so the older segments are dropped (their entries would lie below the new minOffset anyway) and the
   * segment holding the offset starts with zeroed entries. Returns a Promise only while a segment is being
   * created; later calls queue behind it, and fail with it.
   */
  put(entry: ConsumeQueueEntry): boolean | Promise<boolean> {
    if (this.blocked !== undefined) return this.track(this.blocked.then(() => this.putNow(entry)));
    const done = this.putNow(entry);
    return typeof done === 'boolean' ? done : this.track(done);
  }

  async commit(): Promise<void> {
    await this.files.commit();
  }

  /** Commit and fdatasync: entries reach the file only here (and at close), once per flush interval. */
  async flush(): Promise<void> {
    await this.files.commit();
    await this.files.flush();
  }

  /** Up to `maxCount` entries from `from`, never past the end of the segment holding it. */
  read(from: number, maxCount: number): Promise<ConsumeQueueEntry[]> {
    const start = Math.max(from, this.minLogical);
    return this.readAt(start, Math.min(maxCount, this.maxOffset - start));
  }

  /**
   * Sets the end after the last valid entry found in the last three segments that hold any (RocketMQ's
   * depth: older ones were written long ago). A blank or torn entry ends the data; the first segment's
   * leading blanks are skipped, and set minOffset.
   */
  async recover(): Promise<void> {
    await this.settle();
    const files = this.files.files;
    // Entries reach the files lazily and appends can run segments ahead of the commits, so a crash can
    // leave several trailing segments created but never written. Counting the last three from the last
    // file would take such a zeroed segment for an older, full one and keep it as a hole inside the queue.
    let last = files.length - 1;
    while (last > 0 && (await scan(files[last]!, 0, isValid)) === 0) last--;
    const start = Math.max(0, last - 2);
    let end = files[start]?.fileFromOffset ?? this.minLogical * ENTRY_SIZE;
    for (let i = start; i <= last; i++) {
      const file = files[i]!;
      const from = i === 0 ? await scan(file, 0, isBlank) : 0;
      const stop = await scan(file, from, isValid);
      if (i === 0) {
        // Blanks with nothing after them leave an empty queue at the segment start.
        this.minLogical = (file.fileFromOffset + (stop === from ? 0 : from)) / ENTRY_SIZE;
        if (stop === from) {
          end = file.fileFromOffset;
          break;
        }
      }
      end = file.fileFromOffset + stop;
      if (stop < file.fileSize) break;
    }
    await this.files.truncateTo(end);
    this.minLogical = Math.min(this.minLogical, end / ENTRY_SIZE);
    this.lastPhysicalEnd = await this.lastEnd();
  }

  async truncateBeyond(commitLogEnd: number): Promise<void> {
    await this.settle();
    await this.files.commit();
    const cut = await this.firstReached((e) => e.physicalOffset + e.size > commitLogEnd);
    if (cut === this.maxOffset) return;
    await this.files.truncateTo(cut * ENTRY_SIZE);
    this.minLogical = Math.min(this.minLogical, cut);
    this.lastPhysicalEnd = await this.lastEnd();
  }

  async deleteExpired(commitLogMinOffset: number): Promise<void> {
    await this.settle();
    const perFile = this.files.fileSize / ENTRY_SIZE;
    let keepFrom = 0;
    for (const file of this.files.files.slice(0, -1)) {
      const last = await this.entryAt(file.fileFromOffset / ENTRY_SIZE + perFile - 1);
      if (last === undefined || last.physicalOffset >= commitLogMinOffset) break;
      keepFrom = file.fileFromOffset + this.files.fileSize;
    }
    // Raised before the files go, so a concurrent read() never aims at a deleted segment.
    this.minLogical = Math.max(this.minLogical, keepFrom / ENTRY_SIZE);
    await this.files.deleteHead((file) => file.fileFromOffset < keepFrom);
    const min = await this.firstReached((e) => e.physicalOffset >= commitLogMinOffset);
    this.minLogical = Math.max(this.minLogical, min);
  }

  offsetByTime(timestamp: number, storeTimeOf: (e: ConsumeQueueEntry) => Promise<number>): Promise<number> {
    return this.firstReached(async (e) => (await storeTimeOf(e)) >= timestamp);
  }

  /** Commits what was appended (an orderly close loses nothing), then closes the segments. */
  async close(): Promise<void> {
    await this.settle();
    await this.files.commit();
    await this.files.close();
  }

  async destroy(): Promise<void> {
    await this.settle();
    await this.files.destroy();
    await rm(this.files.dir, { recursive: true, force: true });
  }

  private putNow(entry: ConsumeQueueEntry): boolean | Promise<boolean> {
    const file = this.files.writableNow();
    if (file !== undefined && entry.queueOffset * ENTRY_SIZE === file.fileFromOffset + file.wrotePosition) {
      this.append(file, entry);
      return true;
    }
    if (entry.queueOffset < this.nextOffset) return false;
    return this.putSlow(entry);
  }

  private async putSlow(entry: ConsumeQueueEntry): Promise<boolean> {
    const at = entry.queueOffset * ENTRY_SIZE;
    if (this.files.last !== undefined && at > this.files.wroteOffset) {
      this.minLogical = entry.queueOffset;
      await this.files.destroy();
    }
    const first = this.files.last === undefined;
    const file = await this.files.writable(at);
    if (first) {
      // The fresh file is sparse, so moving its positions is all the zero-filling it needs.
      if (at > file.fileFromOffset) await file.resetTo(at - file.fileFromOffset);
      this.minLogical = entry.queueOffset;
    }
    this.append(file, entry);
    return true;
  }

  private append(file: MappedFile, entry: ConsumeQueueEntry): void {
    const { buffer, offset } = file.reserve(ENTRY_SIZE);
    writeEntry(buffer, offset, entry);
    this.lastPhysicalEnd = entry.physicalOffset + entry.size;
  }

  private track(put: Promise<boolean>): Promise<boolean> {
    this.blocked = put;
    const clear = (): void => {
      if (this.blocked === put) this.blocked = undefined;
    };
    void put.then(clear, clear);
    return put;
  }

  private async settle(): Promise<void> {
    while (this.blocked !== undefined) await this.blocked.catch(() => undefined);
  }

  /** Entries [start, start + count), cut at the end of start's segment. */
  private async readAt(start: number, count: number): Promise<ConsumeQueueEntry[]> {
    if (count <= 0) return [];
    const at = start * ENTRY_SIZE;
    const file = this.files.findByOffset(at);
    if (!file?.acquire()) return [];
    try {
      const position = at - file.fileFromOffset;
      const bytes = await file.readWritten(position, Math.min(count * ENTRY_SIZE, file.fileSize - position));
      return readEntries(bytes, start);
    } finally {
      file.release();
    }
  }

  private async entryAt(offset: number): Promise<ConsumeQueueEntry | undefined> {
    return (await this.readAt(offset, 1))[0];
  }

  private async lastEnd(): Promise<number> {
    const max = this.maxOffset;
    const last = max > this.minLogical ? await this.entryAt(max - 1) : undefined;
    return last === undefined ? -1 : last.physicalOffset + last.size;
  }

  /**
   * The first readable offset whose entry has `reached` (false before, true from there on), else
   * maxOffset. Checks both ends first: retention and truncation usually find their answer there.
   */
  private async firstReached(reached: (e: ConsumeQueueEntry) => boolean | Promise<boolean>): Promise<number> {
    const lo = this.minLogical;
    const hi = this.maxOffset;
    const test = async (offset: number): Promise<boolean> => {
      const entry = await this.entryAt(offset);
      return entry !== undefined && (await reached(entry));
    };
    if (lo >= hi || (await test(lo))) return lo;
    if (!(await test(hi - 1))) return hi;
    let low = lo + 1;
    let high = hi - 1;
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (await test(mid)) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
