import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MappedFile, type MappedFileOptions, offsetToFileName } from './mapped-file.js';

const SEGMENT_NAME = /^\d{20}$/;

export interface MappedFileQueueOptions extends MappedFileOptions {
  /** Create the next segment as soon as one is opened, so a roll never waits for the file system. */
  readonly prepareNext?: boolean;
}

/**
 * The ordered, contiguous segments of one log (RocketMQ's MappedFileQueue), addressed by global offset:
 * segment k covers [from_k, from_k + fileSize). Loaded segments start out "full"; recovery sets the real
 * end with `truncateTo`.
 */
export class MappedFileQueue {
  readonly files: MappedFile[] = [];
  private prepared: MappedFile | undefined;
  private preparing: Promise<MappedFile> | undefined;
  private creating: Promise<MappedFile> | undefined;

  private constructor(
    readonly dir: string,
    readonly fileSize: number,
    private readonly options: MappedFileQueueOptions,
  ) {}

  static async load(
    dir: string,
    fileSize: number,
    options: MappedFileQueueOptions = {},
  ): Promise<MappedFileQueue> {
    await mkdir(dir, { recursive: true });
    const queue = new MappedFileQueue(dir, fileSize, options);
    const names = (await readdir(dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
    for (const name of names) {
      const from = Number(name);
      const previous = queue.files.at(-1);
      if (previous !== undefined && previous.fileFromOffset + fileSize !== from) {
        throw new Error(`${dir}: segment ${name} does not follow ${previous.fileName}; the log has a gap`);
      }
      const file = await MappedFile.open(join(dir, name), from, fileSize, options);
      file.wrotePosition = file.committedPosition = file.flushedPosition = fileSize;
      queue.files.push(file);
    }
    return queue;
  }

  get first(): MappedFile | undefined {
    return this.files[0];
  }

  get last(): MappedFile | undefined {
    return this.files.at(-1);
  }

  /** First offset still held; 0 for an empty log. */
  get minOffset(): number {
    return this.first?.fileFromOffset ?? 0;
  }

  /**
   * End of the bytes readers may see. After a roll, segments before the last may still hold appended
   * bytes; the earliest of them bounds it. Commits run in segment order, so the walk back ends at the first
   * (full) segment with nothing left to commit.
   */
  get committedOffset(): number {
    const last = this.last;
    if (last === undefined) return 0;
    let end = last.fileFromOffset + last.committedPosition;
    for (let i = this.files.length - 2; i >= 0; i--) {
      const file = this.files[i]!;
      if (file.uncommitted === 0) break;
      end = file.fileFromOffset + file.committedPosition;
    }
    return end;
  }

  /** End of everything appended. */
  get wroteOffset(): number {
    const last = this.last;
    return last === undefined ? 0 : last.fileFromOffset + last.wrotePosition;
  }

  /**
   * End of the contiguous durable prefix: the first segment not flushed to its end bounds it. A later
   * segment's finished write says nothing about an earlier one's tail still on its way.
   */
  get flushedOffset(): number {
    const files = this.files;
    let i = 0;
    while (i < files.length - 1 && files[i]!.flushedPosition >= this.fileSize) i++;
    const file = files[i];
    return file === undefined ? 0 : file.fileFromOffset + file.flushedPosition;
  }

  /** The segment that holds `offset`, if any. */
  findByOffset(offset: number): MappedFile | undefined {
    const first = this.first;
    if (first === undefined || offset < first.fileFromOffset) return undefined;
    return this.files[Math.floor((offset - first.fileFromOffset) / this.fileSize)];
  }

  /**
   * The segment appends go to, when one is ready without waiting: the last one if it has room, else the
   * prepared next one. `undefined` means the caller must await `writable()`.
   */
  writableNow(): MappedFile | undefined {
    const last = this.last;
    if (last !== undefined && !last.isFull) return last;
    const next = this.prepared;
    if (next?.fileFromOffset !== this.nextFrom()) return undefined;
    this.prepared = undefined;
    this.files.push(next);
    this.prepareAhead();
    return next;
  }

  /**
   * The segment appends go to, creating it (named by the segment holding `startOffset` for an empty log) if
   * needed. Concurrent callers share one creation.
   */
  async writable(startOffset = 0): Promise<MappedFile> {
    const now = this.writableNow();
    if (now !== undefined) return now;
    if (this.preparing !== undefined) {
      await this.preparing.catch(() => undefined);
      const prepared = this.writableNow();
      if (prepared !== undefined) return prepared;
    }
    this.creating ??= this.create(
      this.files.length === 0 ? startOffset - (startOffset % this.fileSize) : this.nextFrom(),
    ).then(
      (file) => {
        this.creating = undefined;
        this.files.push(file);
        this.prepareAhead();
        return file;
      },
      (error: unknown) => {
        this.creating = undefined;
        throw error;
      },
    );
    return this.creating;
  }

  /** Hands every appended byte of every segment to the file system; resolves with the committed offset. */
  async commit(): Promise<number> {
    // Every segment, not just the last two: appends outrun commits by several segments when segments are
    // small or a commit stalls, and bytes left behind would never reach the file.
    for (const file of this.files.filter((f) => f.uncommitted > 0)) await file.commit();
    return this.committedOffset;
  }

  /** fdatasync of every segment with committed bytes not yet flushed; resolves with the flushed offset. */
  async flush(): Promise<number> {
    for (const file of this.files.filter((f) => f.committedPosition > f.flushedPosition)) await file.flush();
    return this.flushedOffset;
  }

  /**
   * Makes `offset` the end of the log: the segment holding it is cut there and zeroed past it, later
   * segments are deleted, earlier ones are full.
   */
  async truncateTo(offset: number): Promise<void> {
    await this.dropPrepared();
    const keep: MappedFile[] = [];
    for (const file of this.files) {
      const end = file.fileFromOffset + this.fileSize;
      if (end <= offset) {
        keep.push(file);
      } else if (file.fileFromOffset < offset || (file.fileFromOffset === offset && keep.length === 0)) {
        await file.resetTo(offset - file.fileFromOffset);
        keep.push(file);
      } else {
        await file.destroy();
      }
    }
    this.files.splice(0, this.files.length, ...keep);
  }

  /** Deletes segments from the head while `expired` says so, never the last one; returns how many. */
  async deleteHead(expired: (file: MappedFile) => boolean, max = Number.POSITIVE_INFINITY): Promise<number> {
    let deleted = 0;
    while (deleted < max && this.files.length > 1 && expired(this.files[0]!)) {
      const file = this.files.shift()!;
      await file.destroy();
      deleted += 1;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.dropPrepared();
    for (const file of this.files) await file.close();
  }

  /** Deletes every segment (a topic's queue removed). */
  async destroy(): Promise<void> {
    await this.dropPrepared();
    for (const file of this.files.splice(0)) await file.destroy();
  }

  private nextFrom(): number {
    const last = this.last;
    return last === undefined ? 0 : last.fileFromOffset + this.fileSize;
  }

  private create(from: number): Promise<MappedFile> {
    return MappedFile.open(join(this.dir, offsetToFileName(from)), from, this.fileSize, this.options);
  }

  private prepareAhead(): void {
    if (this.options.prepareNext !== true) {
      this.preparing = undefined;
      return;
    }
    const from = this.nextFrom();
    const preparing = this.create(from);
    this.preparing = preparing;
    preparing.then(
      (file) => {
        if (this.preparing === preparing) this.prepared = file;
        else void file.destroy();
      },
      () => {
        if (this.preparing === preparing) this.preparing = undefined;
      },
    );
  }

  private async dropPrepared(): Promise<void> {
    const preparing = this.preparing;
    this.preparing = undefined;
    this.prepared = undefined;
    if (preparing === undefined) return;
    const file = await preparing.catch(() => undefined);
    await file?.destroy();
  }
}
