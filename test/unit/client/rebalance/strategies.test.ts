import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageQueue } from '../../../../src/client/queue-selector.js';
import {
  type AllocateStrategy,
  allocateAveragely,
  allocateAveragelyByCircle,
  allocateConsistentHash,
  md5Hash32,
  messageQueueKey,
} from '../../../../src/client/rebalance/strategies.js';

const queuesOf = (n: number): MessageQueue[] =>
  Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName: `b${queueId % 2}`, queueId }));

const clientIds = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 12 })
  .map((ids) => [...ids].sort());

const strategies: [string, AllocateStrategy][] = [
  ['averagely', allocateAveragely],
  ['averagely by circle', allocateAveragelyByCircle],
  ['consistent hash', allocateConsistentHash()],
];

describe.each(strategies)('%s', (_name, allocate) => {
  it('gives each queue to exactly one consumer', () => {
    fc.assert(
      fc.property(clientIds, fc.integer({ min: 0, max: 40 }), (cids, n) => {
        const queues = queuesOf(n);
        const owners = queues.map(() => 0);
        for (const cid of cids)
          for (const q of allocate('g', cid, queues, cids)) owners[queues.indexOf(q)]! += 1;
        expect(owners.every((c) => c === 1)).toBe(true);
      }),
    );
  });

  it('gives every consumer the same answer for a given member (pure, no hidden state)', () => {
    fc.assert(
      fc.property(clientIds, fc.integer({ min: 0, max: 40 }), (cids, n) => {
        const queues = queuesOf(n);
        for (const cid of cids)
          expect(allocate('g', cid, queues, [...cids])).toEqual(allocate('g', cid, queues, cids));
      }),
    );
  });

  it('gives nothing to a client id not in the list', () => {
    fc.assert(
      fc.property(clientIds, fc.integer({ min: 0, max: 40 }), (cids, n) => {
        expect(allocate('g', '\u0000stranger', queuesOf(n), cids)).toEqual([]);
      }),
    );
  });
});

describe('averagely', () => {
  it('splits 8 queues over 3 consumers as 3/3/2 contiguous blocks', () => {
    const queues = queuesOf(8);
    const ids = (cid: string): number[] =>
      allocateAveragely('g', cid, queues, ['a', 'b', 'c']).map((q) => q.queueId);
    expect([ids('a'), ids('b'), ids('c')]).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });

  it('gives counts that differ by at most one, and nothing to consumers beyond the queue count', () => {
    fc.assert(
      fc.property(clientIds, fc.integer({ min: 0, max: 40 }), (cids, n) => {
        const counts = cids.map((cid) => allocateAveragely('g', cid, queuesOf(n), cids).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        if (n < cids.length) expect(counts.slice(n).every((c) => c === 0)).toBe(true);
      }),
    );
  });
});

describe('averagely by circle', () => {
  it('deals queues round the consumers', () => {
    const ids = allocateAveragelyByCircle('g', 'b', queuesOf(8), ['a', 'b', 'c']).map((q) => q.queueId);
    expect(ids).toEqual([1, 4, 7]);
  });
});

describe('consistent hash', () => {
  it('hashes with the first four bytes of MD5, big-endian and unsigned', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    expect(md5Hash32('')).toBe(0xd41d8cd9);
    expect(messageQueueKey({ topic: 'T', brokerName: 'b', queueId: 3 })).toBe(
      'MessageQueue [topic=T, brokerName=b, queueId=3]',
    );
  });

  it('moves only the leaving consumer’s queues when a consumer leaves', () => {
    const allocate = allocateConsistentHash();
    const queues = queuesOf(64);
    const before = ['a', 'b', 'c', 'd'];
    const after = ['a', 'b', 'c'];
    for (const cid of after) {
      const kept = allocate('g', cid, queues, before);
      const now = allocate('g', cid, queues, after);
      expect(now).toEqual(expect.arrayContaining(kept));
    }
  });
});
