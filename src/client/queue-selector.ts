import { javaStringHashCode } from '../protocol/java-hash.js';
import type { LatencyFaultTable } from './latency-fault.js';

export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

/** A user's queue choice for ordered sends: same answer for the same key, so a key's messages keep order. */
export type QueueSelector = (queues: readonly MessageQueue[], shardingKey: string) => MessageQueue;

/** RocketMQ's SelectMessageQueueByHash: |hashCode(key)| mod n. */
export const selectByHash: QueueSelector = (queues, shardingKey) => {
  const queue = queues[Math.abs(javaStringHashCode(shardingKey) % queues.length)];
  if (queue === undefined) throw new RangeError('no queue to select from');
  return queue;
};

/**
 * Round robin over the topic's writable queues that avoids brokers the fault table marks unavailable and,
 * on a retry, the broker that just failed. Falls back to the least-bad broker, then to plain round robin, so
 * a send is always attempted somewhere.
 */
export class RoundRobinSelector {
  private index = Math.floor(Math.random() * 1024);

  constructor(private readonly faults: LatencyFaultTable) {}

  select(queues: readonly MessageQueue[], now: number, lastFailedBroker?: string): MessageQueue {
    const n = queues.length;
    if (n === 0) throw new RangeError('no queue to select from');
    for (let i = 0; i < n; i++) {
      const queue = queues[this.next() % n]!;
      if (queue.brokerName !== lastFailedBroker && this.faults.isAvailable(queue.brokerName, now))
        return queue;
    }
    const brokers = [...new Set(queues.map((q) => q.brokerName))].filter((b) => b !== lastFailedBroker);
    const leastBad = this.faults.leastBad(brokers);
    if (leastBad !== undefined) {
      const ofBroker = queues.filter((q) => q.brokerName === leastBad);
      return ofBroker[this.next() % ofBroker.length]!;
    }
    return queues[this.next() % n]!;
  }

  private next(): number {
    this.index = (this.index + 1) & 0x7fffffff;
    return this.index;
  }
}
