import { constants } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';

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

  private readonly chunkSize: number;
  private readonly dsync: boolean;
  /** Uncommitted bytes in order: buffer[start, end) of each chunk; the last chunk is the one being filled. */
  private chunks: Chunk[] = [];
  private committing: Promise<void> = Promise.resolve();
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
    this.chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
    this.dsync = options.dsync === true;
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
    let tail = this.chunks.at(-1);
    if (tail === undefined || tail.end + length > tail.buffer.length) {
      tail = { buffer: Buffer.allocUnsafe(Math.max(this.chunkSize, length)), start: 0, end: 0 };
      this.chunks.push(tail);
    }
    const offset = tail.end;
    tail.end += length;
    this.wrotePosition += length;
    return { buffer: tail.buffer, offset };
  }

  /** Appends a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    const { buffer, offset } = this.reserve(bytes.length);
    buffer.set(bytes, offset);
  }

  /**
   * Writes every appended byte to the file in one positional write and resolves with the new committed
   * position. Commits run one after another; a failed write (ENOSPC, EIO) keeps the bytes for the next try.
   */
  commit(): Promise<number> {
    const run = this.committing.then(async () => {
      const length = this.wrotePosition - this.committedPosition;
      if (length === 0) return;
      const views: Buffer[] = [];
      let left = length;
      for (const chunk of this.chunks) {
        if (left === 0) break;
        const take = Math.min(left, chunk.end - chunk.start);
        views.push(chunk.buffer.subarray(chunk.start, chunk.start + take));
        left -= take;
      }
      const position = this.committedPosition;
      let written = 0;
      while (written < length) {
        const { bytesWritten } = await this.handle.writev(sliceFrom(views, written), position + written);
        written += bytesWritten;
      }
      this.consume(length);
      this.committedPosition = position + length;
      if (this.dsync) this.flushedPosition = this.committedPosition;
    });
    this.committing = run.catch(() => undefined);
    return run.then(() => this.committedPosition);
  }

  private consume(length: number): void {
    let left = length;
    while (left > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(left, chunk.end - chunk.start);
      chunk.start += take;
      left -= take;
      if (chunk.start === chunk.end && (this.chunks.length > 1 || chunk.end === chunk.buffer.length)) {
        this.chunks.shift();
      }
    }
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
    let at = committed;
    let filled = 0;
    for (const chunk of this.chunks) {
      const length = chunk.end - chunk.start;
      const lo = Math.max(from, at);
      const hi = Math.min(end, at + length);
      if (hi > lo)
        filled += chunk.buffer.copy(tail, lo - from, chunk.start + (lo - at), chunk.start + (hi - at));
      at += length;
      if (at >= end) break;
    }
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
    await this.committing;
    this.chunks = [];
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
    await this.committing;
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

interface Chunk {
  readonly buffer: Buffer;
  start: number;
  end: number;
}

function sliceFrom(chunks: readonly Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  let left = skip;
  for (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    out.push(left > 0 ? chunk.subarray(left) : chunk);
    left = 0;
  }
  return out;
}
