import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { offsetToFileName } from './mapped-file.js';

const SEGMENT_NAME = /^\d{20}$/;

/**
 * Read-only access to the CommitLog's segment files for a thread that does not own the log: bytes the
 * owner has committed (written to the file) are read from the page cache. A segment deleted by retention
 * reads as missing; `nextSegmentFrom` finds where the log goes on. The reads are synchronous: the index
 * thread has nothing else to do meanwhile, and a trip through libuv's thread pool per read would wake a
 * third thread on a two-core machine.
 */
export class CommitLogReader {
  private fd: number | undefined;
  private fdStart = -1;

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
  read(offset: number, length: number, into: Buffer): number | undefined {
    const start = this.segmentStart(offset);
    const fd = this.segment(start);
    if (fd === undefined) return undefined;
    const want = Math.min(length, into.length, start + this.fileSize - offset);
    return readSync(fd, into, 0, want, offset - start);
  }

  /** Start of the first segment at or after `offset`, or undefined when there is none. */
  nextSegmentFrom(offset: number): number | undefined {
    const starts = readdirSync(this.dir)
      .filter((name) => SEGMENT_NAME.test(name))
      .map(Number)
      .filter((start) => start + this.fileSize > offset)
      .sort((a, b) => a - b);
    return starts[0];
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.fdStart = -1;
  }

  private segment(start: number): number | undefined {
    if (this.fd !== undefined && this.fdStart === start) return this.fd;
    this.close();
    try {
      this.fd = openSync(join(this.dir, offsetToFileName(start)), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    this.fdStart = start;
    return this.fd;
  }
}
