import { OffsetWaiters } from '../store/offset-waiters.js';
import type { ReplicaStatus } from '../store/message-store-types.js';

export interface GroupTransferOptions {
  /** How long a put waits for a slave (syncFlushTimeout). */
  readonly timeoutMs: number;
  /** A slave further behind than this is not waited for (haSlaveFallbehindMax). */
  readonly maxGapBytes: number;
}

/**
 * SYNC_MASTER's side of a put (RocketMQ's GroupTransferService with HAService.isSlaveOK): puts wait, by log
 * position, until some connected slave reports having the log up to their end. With no slave connected, or
 * the best one too far behind, a put is answered SLAVE_NOT_AVAILABLE at once; one not reached in time,
 * FLUSH_SLAVE_TIMEOUT (swept by `expire`, which the HA service runs on its scheduler).
 */
export class GroupTransfer {
  private readonly waiters = new OffsetWaiters();
  private readonly slaves = new Map<number, number>();
  private nextId = 1;

  constructor(readonly options: GroupTransferOptions) {}

  /** The furthest any connected slave has reported (RocketMQ's push2SlaveMaxOffset), -1 with none. */
  get slaveOffset(): number {
    let best = -1;
    for (const offset of this.slaves.values()) best = Math.max(best, offset);
    return best;
  }

  get connectedSlaves(): number {
    return this.slaves.size;
  }

  /** A slave connected; report its offsets under the id returned. */
  connected(): number {
    const id = this.nextId++;
    this.slaves.set(id, -1);
    return id;
  }

  reported(id: number, offset: number): void {
    if (!this.slaves.has(id)) return;
    this.slaves.set(id, offset);
    this.waiters.advance(this.slaveOffset);
  }

  disconnected(id: number): void {
    this.slaves.delete(id);
  }

  wait(end: number, now: number): Promise<ReplicaStatus> {
    const reached = this.slaveOffset;
    if (this.slaves.size === 0 || end - Math.max(reached, 0) > this.options.maxGapBytes) {
      return Promise.resolve('SLAVE_NOT_AVAILABLE');
    }
    if (reached >= end) return Promise.resolve('PUT_OK');
    return new Promise((resolve) => {
      this.waiters.wait(end, now + this.options.timeoutMs, (ok) => {
        resolve(ok ? 'PUT_OK' : 'FLUSH_SLAVE_TIMEOUT');
      });
    });
  }

  expire(now: number): void {
    this.waiters.expire(now);
  }

  /** Shutdown: nobody waits any longer. */
  failAll(): void {
    this.waiters.failAll();
  }
}
