import { createHash } from 'node:crypto';
import type { MessageQueue } from '../queue-selector.js';

/**
 * How a consumer group splits a topic's queues. Every member runs the same pure function over the same sorted
 * inputs, so they agree on the split without talking to each other.
 */
export type AllocateStrategy = (
  group: string,
  self: string,
  sortedQueues: readonly MessageQueue[],
  sortedClientIds: readonly string[],
) => MessageQueue[];

/** RocketMQ's AllocateMessageQueueAveragely: contiguous blocks, the first `nQ % nC` consumers take one more. */
export const allocateAveragely: AllocateStrategy = (_group, self, queues, clientIds) => {
  const index = clientIds.indexOf(self);
  if (index < 0 || queues.length === 0) return [];
  const nQ = queues.length;
  const nC = clientIds.length;
  const mod = nQ % nC;
  const extra = mod > 0 && index < mod;
  const avg = nQ <= nC ? 1 : Math.floor(nQ / nC) + (extra ? 1 : 0);
  const start = extra ? index * avg : index * avg + mod;
  const range = Math.min(avg, nQ - start);
  const mine: MessageQueue[] = [];
  for (let i = 0; i < range; i++) mine.push(queues[(start + i) % nQ]!);
  return mine;
};

/** RocketMQ's AllocateMessageQueueAveragelyByCircle: queue i goes to consumer i mod nC. */
export const allocateAveragelyByCircle: AllocateStrategy = (_group, self, queues, clientIds) => {
  const index = clientIds.indexOf(self);
  if (index < 0) return [];
  return queues.filter((_, i) => i % clientIds.length === index);
};

export const DEFAULT_VIRTUAL_NODES = 10;

/** First 4 bytes of MD5 as an unsigned big-endian int: the hash RocketMQ's ConsistentHashRouter uses by default. */
export function md5Hash32(key: string): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0);
}

/** The key Java's MessageQueue.toString() gives, hashed to place the queue on the ring. */
export const messageQueueKey = (q: MessageQueue): string =>
  `MessageQueue [topic=${q.topic}, brokerName=${q.brokerName}, queueId=${q.queueId}]`;

/**
 * RocketMQ's AllocateMessageQueueConsistentHash: a ring of virtual nodes (`cid-i`); a queue belongs to the first
 * node clockwise from its hash. Moving one consumer in or out only moves that consumer's queues.
 */
export function allocateConsistentHash(virtualNodes = DEFAULT_VIRTUAL_NODES): AllocateStrategy {
  return (_group, self, queues, clientIds) => {
    if (!clientIds.includes(self)) return [];
    const ring = clientIds
      .flatMap((cid) =>
        Array.from({ length: virtualNodes }, (_, i) => ({ cid, hash: md5Hash32(`${cid}-${i}`) })),
      )
      // ties are broken by client id so that the ring is the same whatever order the ids come in
      .sort((a, b) => a.hash - b.hash || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0));
    return queues.filter((q) => ownerOnRing(ring, md5Hash32(messageQueueKey(q))) === self);
  };
}

function ownerOnRing(ring: readonly { cid: string; hash: number }[], hash: number): string | undefined {
  let lo = 0;
  let hi = ring.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring[mid]!.hash < hash) lo = mid + 1;
    else hi = mid;
  }
  return (ring[lo] ?? ring[0])?.cid;
}
