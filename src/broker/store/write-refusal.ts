import type { Logger } from '../../logger.js';
import { StoreUnavailableError } from './store-errors.js';

/**
 * Why the store refuses puts, if it does: always on a slave's store, while the disk is full or the store
 * shuts down, and after a failed CommitLog write until one succeeds again.
 */
export class WriteRefusal {
  private unwritable: string | undefined;
  /** Why the last CommitLog write failed, until one succeeds again: puts are refused meanwhile. */
  private writeFailure: string | undefined;

  constructor(
    private readonly storeDir: string,
    private readonly logger: Logger,
    /** A slave's store: puts are refused with this reason; only replicated bytes are appended. */
    private readonly refuseWrites: string | undefined,
  ) {}

  /** Throws StoreUnavailableError while puts are refused. */
  check(): void {
    const refused = this.refuseWrites ?? this.unwritable ?? this.writeFailure;
    if (refused !== undefined) throw new StoreUnavailableError(`the store refuses writes: ${refused}`);
  }

  setDiskFull(full: boolean, reason: string): void {
    this.unwritable = full ? reason : undefined;
  }

  shuttingDown(): void {
    this.unwritable = 'the store is shutting down';
  }

  /**
   * Refuses puts until a commit succeeds again: appends would only pile up in memory, acknowledged (under
   * ASYNC_FLUSH) yet unwritten. What is already appended stays and is written once the disk takes it.
   */
  writeFailed(error: unknown): void {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const detail = error instanceof Error ? error.message : String(error);
    const reason =
      code === 'ENOSPC'
        ? `disk full: no space left on the device of ${this.storeDir} (${detail})`
        : `writing the CommitLog failed (${detail})`;
    if (this.writeFailure === undefined) {
      this.logger.error(
        { code, error: detail },
        `refusing new messages until the CommitLog can be written: ${reason}`,
      );
    }
    this.writeFailure = reason;
  }

  writeRecovered(): void {
    this.logger.info({ reason: this.writeFailure }, 'CommitLog writes succeed again: accepting messages');
    this.writeFailure = undefined;
  }
}
