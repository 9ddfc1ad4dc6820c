import type { MessageQueue } from '../../protocol/headers/lock.js';

interface LockEntry {
  readonly queue: MessageQueue;
  readonly clientId: string;
  lastUpdate: number;
}

/** A live lock, as the metrics show it. */
export interface QueueLock {
  readonly group: string;
  readonly queue: MessageQueue;
  readonly clientId: string;
}

/** RocketMQ's rocketmq.broker.rebalance.lockMaxLiveTime: a lock not renewed for this long is free again. */
export const DEFAULT_LOCK_MAX_LIVE_MS = 60_000;

const queueKey = (mq: MessageQueue): string => `${mq.queueId}@${mq.brokerName}@${mq.topic}`;

/**
 * The broker side of orderly consumption (RebalanceLockManager): per consumer group, which client owns each
 * queue, until its lock expires. Lock and unlock come in batches; a client's own lock is renewed by locking
 * again. Time is the caller's clock, so tests drive expiry in virtual time.
 */
export class RebalanceLockManager {
  private readonly groups = new Map<string, Map<string, LockEntry>>();

  constructor(
    private readonly now: () => number,
    private readonly maxLiveMs = DEFAULT_LOCK_MAX_LIVE_MS,
  ) {}

  /** Locks (or renews) every queue that is free, expired or already the client's; returns those it holds. */
  tryLockBatch(group: string, queues: readonly MessageQueue[], clientId: string): MessageQueue[] {
    const now = this.now();
    let table = this.groups.get(group);
    if (table === undefined) {
      table = new Map();
      this.groups.set(group, table);
    }
    const locked: MessageQueue[] = [];
    for (const mq of queues) {
      const key = queueKey(mq);
      const entry = table.get(key);
      if (entry === undefined || entry.clientId === clientId || this.expired(entry, now)) {
        table.set(key, { queue: mq, clientId, lastUpdate: now });
        locked.push(mq);
      }
    }
    return locked;
  }

  /** Frees the queues the client holds; another client's lock is left alone. */
  unlockBatch(group: string, queues: readonly MessageQueue[], clientId: string): void {
    const table = this.groups.get(group);
    if (table === undefined) return;
    for (const mq of queues) {
      const key = queueKey(mq);
      if (table.get(key)?.clientId === clientId) table.delete(key);
    }
    if (table.size === 0) this.groups.delete(group);
  }

  /** The live owner of a queue's lock, if any. */
  owner(group: string, mq: MessageQueue): string | undefined {
    const entry = this.groups.get(group)?.get(queueKey(mq));
    return entry === undefined || this.expired(entry, this.now()) ? undefined : entry.clientId;
  }

  /** Every lock not yet expired. */
  *liveLocks(): IterableIterator<QueueLock> {
    const now = this.now();
    for (const [group, table] of this.groups)
      for (const entry of table.values())
        if (!this.expired(entry, now)) yield { group, queue: entry.queue, clientId: entry.clientId };
  }

  private expired(entry: LockEntry, now: number): boolean {
    return now - entry.lastUpdate > this.maxLiveMs;
  }
}
