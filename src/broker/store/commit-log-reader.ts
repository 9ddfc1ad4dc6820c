import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { offsetToFileName } from './mapped-file.js';

const SEGMENT_NAME = /^\d{20}$/;

/**
 * Read-only access to the CommitLog's segment files for a thread that does not own the log: bytes the
 * owner has committed (written to the file) are read from the page cache. A segment deleted by retention
 * reads as missing; `nextSegmentFrom` finds where the log goes on.
 */
export class CommitLogReader {
  private handle: FileHandle | undefined;
  private handleStart = -1;

  constructor(
    private readonly dir: string,
    readonly fileSize: number,
  ) {}

  /** Start of the segment holding `offset`. */
  segmentStart(offset: number): number {
    return offset - (offset % this.fileSize);
  }

  /**
   * Reads up to `length` bytes at `offset` into `into` (never past the segment's end); the bytes read, or
   * undefined when the segment file is gone.
   */
  async read(offset: number, length: number, into: Buffer): Promise<number | undefined> {
    const start = this.segmentStart(offset);
    const handle = await this.segment(start);
    if (handle === undefined) return undefined;
    const want = Math.min(length, into.length, start + this.fileSize - offset);
    const { bytesRead } = await handle.read(into, 0, want, offset - start);
    return bytesRead;
  }

  /** Start of the first segment at or after `offset`, or undefined when there is none. */
  async nextSegmentFrom(offset: number): Promise<number | undefined> {
    const starts = (await readdir(this.dir))
      .filter((name) => SEGMENT_NAME.test(name))
      .map(Number)
      .filter((start) => start + this.fileSize > offset)
      .sort((a, b) => a - b);
    return starts[0];
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.handleStart = -1;
    await handle?.close();
  }

  private async segment(start: number): Promise<FileHandle | undefined> {
    if (this.handle !== undefined && this.handleStart === start) return this.handle;
    await this.close();
    try {
      this.handle = await open(join(this.dir, offsetToFileName(start)), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    this.handleStart = start;
    return this.handle;
  }
}
