import type { FileHandle } from 'node:fs/promises';
import { type WriteBuffer, sliceFrom } from './write-buffer.js';

/** The segment positions commits read and move. */
export interface CommitPositions {
  readonly wrotePosition: number;
  committedPosition: number;
  flushedPosition: number;
}

/**
 * The positional writes that carry a segment's write buffer to its file, and the commits waiting on them.
 * With `dsync` (the file opened O_DSYNC) a finished write is also flushed.
 */
export class CommitWrites {
  /** End of the bytes handed to a write (>= committedPosition while writes are in flight). */
  private submitted = 0;
  /** Writes in submission order, until a contiguous run of finished ones moves committedPosition. */
  private writes: { readonly end: number; done: boolean }[] = [];
  private readonly running = new Set<Promise<void>>();
  private waiters: { readonly end: number; resolve(position: number): void; reject(error: unknown): void }[] =
    [];
  private failed = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly buffer: WriteBuffer,
    private readonly positions: CommitPositions,
    private readonly dsync: boolean,
  ) {}

  /** Writes handed to the file system and not yet finished. */
  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Hands the bytes appended since the last commit to the file in one positional write, without waiting
   * for earlier writes: several may be in flight (a disk answers concurrent writes faster than serial ones),
   * and committedPosition moves only over a contiguous run of finished ones. Resolves once everything
   * appended before the call is committed. A failed write (ENOSPC, EIO) rejects, and the next call writes
   * everything uncommitted again.
   */
  async commit(): Promise<number> {
    if (this.failed) await this.restartAfterFailure();
    const to = this.positions.wrotePosition;
    if (to > this.submitted) this.submit(this.submitted, to);
    if (this.positions.committedPosition >= to) return this.positions.committedPosition;
    return new Promise<number>((resolve, reject) => {
      this.waiters.push({ end: to, resolve, reject });
    });
  }

  /** Waits for every write in flight, failed or not. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Forgets the writes (once settled) and a failure: the next commit writes from `position` on. */
  restartAt(position: number): void {
    this.writes = [];
    this.failed = false;
    this.submitted = position;
  }

  private submit(from: number, to: number): void {
    this.submitted = to;
    const write = { end: to, done: false };
    this.writes.push(write);
    const committed = this.positions.committedPosition;
    const views = this.buffer.views(from - committed, to - committed);
    const running: Promise<void> = this.writeFully(views, from)
      .then(
        () => {
          write.done = true;
          this.advance();
        },
        (error: unknown) => {
          this.failed = true;
          const waiters = this.waiters;
          this.waiters = [];
          for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  private async writeFully(views: readonly Buffer[], position: number): Promise<void> {
    let length = 0;
    for (const view of views) length += view.length;
    let written = 0;
    while (written < length) {
      const { bytesWritten } = await this.handle.writev(sliceFrom(views, written), position + written);
      written += bytesWritten;
    }
  }

  private advance(): void {
    const positions = this.positions;
    let end = positions.committedPosition;
    while (this.writes[0]?.done === true) end = this.writes.shift()!.end;
    if (end === positions.committedPosition) return;
    this.buffer.consume(end - positions.committedPosition);
    positions.committedPosition = end;
    if (this.dsync) positions.flushedPosition = end;
    while (this.waiters[0] !== undefined && this.waiters[0].end <= end) this.waiters.shift()!.resolve(end);
  }

  /** After a failed write: let the others finish, then treat everything past committedPosition as unwritten. */
  private async restartAfterFailure(): Promise<void> {
    await this.settle();
    this.restartAt(this.positions.committedPosition);
  }
}
