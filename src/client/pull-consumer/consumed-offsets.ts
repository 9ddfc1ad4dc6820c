import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  type Subscription,
  catchError,
  defer,
  exhaustMap,
  lastValueFrom,
  timer,
} from 'rxjs';
import { MQClientError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { type OffsetStore, type OffsetStorePort, createOffsetStore } from '../offset-store.js';
import type { MessageQueue } from '../queue-selector.js';
import { queueKey } from '../rebalance/rebalance.js';

export interface ConsumedOffsetsOptions {
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

interface Position {
  readonly queue: MessageQueue;
  readonly offset: number;
}

/**
 * Offsets move in two steps: handing a message out (or seeking) moves the queue's consumed position, and a
 * commit copies the consumed positions into the offset store and writes them. Without autoCommit only
 * commit() does that, so a crash re-delivers whatever the application had not committed.
 */
export class ConsumedOffsets {
  private readonly positions = new Map<string, Position>();
  private readonly store: OffsetStore;
  private readonly failures: unknown[] = [];
  private autoCommit: Subscription | undefined;

  constructor(
    port: OffsetStorePort,
    private readonly options: ConsumedOffsetsOptions,
  ) {
    this.store = createOffsetStore(port, {
      onError: (error, queue) => {
        this.failures.push(error);
        options.logger.warn({ queue: queueKey(queue), error: String(error) }, 'offset commit failed');
      },
      scheduler: options.scheduler,
    });
  }

  consumed(queue: MessageQueue): number | undefined {
    return this.positions.get(queueKey(queue))?.offset;
  }

  moveTo(queue: MessageQueue, offset: number): void {
    this.positions.set(queueKey(queue), { queue, offset });
  }

  /** The group's stored offset, cached in the store so an unchanged one is not written back. */
  stored$(queue: MessageQueue): Observable<number | undefined> {
    return this.store.readStored$(queue);
  }

  /** A queue left the assignment: with autoCommit its position is written one last time, then forgotten. */
  revoke(queue: MessageQueue): void {
    const at = this.positions.get(queueKey(queue));
    this.positions.delete(queueKey(queue));
    if (this.options.autoCommit && at !== undefined) this.store.update(queue, at.offset);
    this.store.remove$(queue).subscribe();
  }

  /** Writes every consumed position; rejects with ERR_COMMIT_FAILED when a write failed (retried next time). */
  async commit(): Promise<void> {
    this.failures.length = 0;
    for (const { queue, offset } of this.positions.values()) this.store.update(queue, offset);
    await lastValueFrom(this.store.persist$(), { defaultValue: undefined });
    if (this.failures.length > 0)
      throw new MQClientError(
        'ERR_COMMIT_FAILED',
        `${this.failures.length} offset write(s) failed: ${String(this.failures[0])}`,
        -1,
        { retriable: true, cause: this.failures[0] },
      );
  }

  /** With autoCommit, commit() every autoCommitIntervalMs until close(); a failed one is logged and retried. */
  startAutoCommit(): void {
    if (!this.options.autoCommit || this.autoCommit !== undefined) return;
    const every = this.options.autoCommitIntervalMs;
    this.autoCommit = timer(every, every, this.options.scheduler)
      .pipe(exhaustMap(() => defer(() => this.commit()).pipe(catchError(() => EMPTY))))
      .subscribe();
  }

  /** The last write: the consumed positions with autoCommit, else only what commit() left unwritten. */
  async close(): Promise<void> {
    this.autoCommit?.unsubscribe();
    if (this.options.autoCommit) await this.commit().catch(() => undefined);
    else await lastValueFrom(this.store.persist$(), { defaultValue: undefined });
  }
}
