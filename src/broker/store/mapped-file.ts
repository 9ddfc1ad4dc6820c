import { constants } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { CommitWrites } from './commit-writes.js';
import { WriteBuffer } from './write-buffer.js';

/** RocketMQ's UtilAll.offset2FileName: the segment's first global offset as 20 zero-padded digits. */
export const offsetToFileName = (offset: number): string => String(offset).padStart(20, '0');

export interface MappedFileOptions {
  /** Size of the write-buffer chunks appends go into (grown for a single larger append). */
  readonly chunkSize?: number;
  /**
   * Open with O_DSYNC: every commit is durable when it returns, so SYNC_FLUSH needs one system call per
   * group commit instead of a write and an fdatasync, each a trip through the thread pool.
   */
  readonly dsync?: boolean;
}

/**
 * One fixed-size segment of a CommitLog, ConsumeQueue or similar log: an open file plus the appended bytes
 * that have not reached it yet. Node has no mmap, so this is RocketMQ's transientStorePool path made the only
 * one: appends fill a write buffer, `commit()` hands them to the file in one positional write, `flush()`
 * fdatasyncs. Positions are relative to the segment: wrote >= committed >= flushed. Readers see only bytes
 * below `committedPosition`, which the page cache serves.
 */
export class MappedFile {
  wrotePosition = 0;
  committedPosition = 0;
  flushedPosition = 0;
  /** Store timestamp of the last record appended, for the checkpoint and time-based retention. */
  lastStoreTimestamp = 0;

  private readonly buffer: WriteBuffer;
  private readonly writes: CommitWrites;
  private flushing: Promise<void> = Promise.resolve();
  private refs = 1;
  private destroyRequested = false;
  private released: Promise<void> | undefined;
  private resolveReleased: (() => void) | undefined;

  private constructor(
    readonly path: string,
    readonly fileFromOffset: number,
    readonly fileSize: number,
    private readonly handle: FileHandle,
    options: MappedFileOptions,
  ) {
    this.buffer = new WriteBuffer(options.chunkSize ?? 4 * 1024 * 1024);
    this.writes = new CommitWrites(handle, this.buffer, this, options.dsync === true);
  }

  /**
   * Opens `path` (creating it) and sizes it to `fileSize`. The file is sparse until written; ftruncate is
   * the preallocation Node offers, and a sparse tail reads as zeros, which recovery takes as "no record".
   */
  static async open(
    path: string,
    fileFromOffset: number,
    fileSize: number,
    options: MappedFileOptions = {},
  ): Promise<MappedFile> {
    const sync = options.dsync === true ? constants.O_DSYNC : 0;
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT | sync);
    try {
      const { size } = await handle.stat();
      if (size !== fileSize) await handle.truncate(fileSize);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new MappedFile(path, fileFromOffset, fileSize, handle, options);
  }

  get fileName(): string {
    return offsetToFileName(this.fileFromOffset);
  }

  get remaining(): number {
    return this.fileSize - this.wrotePosition;
  }

  get isFull(): boolean {
    return this.wrotePosition >= this.fileSize;
  }

  /** Bytes appended but not yet handed to the file. */
  get uncommitted(): number {
    return this.wrotePosition - this.committedPosition;
  }

  /**
   * Room for `length` more bytes at the tail, to be filled by the caller before it yields the event loop
   * (commit may take them from the next tick on). Throws if the segment has no such room.
   */
  reserve(length: number): { readonly buffer: Buffer; readonly offset: number } {
    if (length > this.remaining) throw new RangeError(`${this.path}: no room for ${length} bytes`);
    const room = this.buffer.reserve(length);
    this.wrotePosition += length;
    return room;
  }

  /** Appends a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    const { buffer, offset } = this.reserve(bytes.length);
    buffer.set(bytes, offset);
  }

  /** Writes handed to the file system and not yet finished. */
  get writesInFlight(): number {
    return this.writes.inFlight;
  }

  /** Hands what was appended to the file, several writes in flight at once: see CommitWrites.commit. */
  commit(): Promise<number> {
    return this.writes.commit();
  }

  /** fdatasync of everything committed so far; resolves with the new flushed position. */
  flush(): Promise<number> {
    const run = this.flushing.then(async () => {
      const target = this.committedPosition;
      if (target <= this.flushedPosition) return;
      await this.handle.datasync();
      this.flushedPosition = Math.max(this.flushedPosition, target);
    });
    this.flushing = run.catch(() => undefined);
    return run.then(() => this.flushedPosition);
  }

  /** Reads committed bytes [position, position + length) of this segment into a new buffer. */
  async read(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.committedPosition);
    if (position < 0 || end <= position) return Buffer.alloc(0);
    const target = Buffer.allocUnsafe(end - position);
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await this.handle.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === target.length ? target : target.subarray(0, done);
  }

  /**
   * Like `read`, but up to `wrotePosition`: appended bytes not yet committed come from the write buffer.
   * For logs whose own readers may see what was appended (ConsumeQueues), which then commit lazily.
   */
  async readWritten(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.wrotePosition);
    if (position < 0 || end <= position) return Buffer.alloc(0);
    const committed = this.committedPosition;
    if (end <= committed) return this.read(position, end - position);
    // Copy the buffered part before the first await: a commit finishing meanwhile consumes the chunks.
    const from = Math.max(position, committed);
    const tail = Buffer.allocUnsafe(end - from);
    const filled = this.buffer.copy(from - committed, end - committed, tail, 0);
    const buffered = filled === tail.length ? tail : tail.subarray(0, filled);
    if (position >= committed) return buffered;
    const head = await this.read(position, committed - position);
    return Buffer.concat([head, buffered]);
  }

  /** Reads any bytes of the file regardless of the positions: recovery uses it before positions are known. */
  async readRaw(position: number, length: number): Promise<Buffer> {
    const target = Buffer.alloc(Math.max(0, Math.min(length, this.fileSize - position)));
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await this.handle.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return target;
  }

  /**
   * Sets all three positions to `position` after recovery and zeroes everything past it (shrinking the file
   * and growing it back leaves a sparse, zero tail), so a later recovery can never mistake stale bytes
   * beyond the new end for records.
   */
  async resetTo(position: number): Promise<void> {
    await this.writes.settle();
    this.buffer.clear();
    this.writes.restartAt(position);
    if (position < this.fileSize) {
      await this.handle.truncate(position);
      await this.handle.truncate(this.fileSize);
    }
    this.wrotePosition = position;
    this.committedPosition = position;
    this.flushedPosition = position;
  }

  /** Marks the segment in use by a reader; false once it is being destroyed. */
  acquire(): boolean {
    if (this.destroyRequested) return false;
    this.refs += 1;
    return true;
  }

  release(): void {
    this.refs -= 1;
    if (this.refs === 0) this.resolveReleased?.();
  }

  /** Closes the file once no reader holds it. */
  async close(): Promise<void> {
    if (!this.destroyRequested) {
      this.destroyRequested = true;
      this.release();
    }
    if (this.refs > 0) {
      this.released ??= new Promise<void>((resolve) => {
        this.resolveReleased = resolve;
      });
      await this.released;
    }
    await this.writes.settle();
    await this.flushing;
    await this.handle.close().catch(() => undefined);
  }

  /** Closes the file and deletes it (retention, recovery of files past the end). */
  async destroy(): Promise<void> {
    await this.close();
    await unlink(this.path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }
}
