import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RebalanceLockManager } from '../../../../src/broker/managers/rebalance-lock-manager.js';
import type { MessageQueue } from '../../../../src/protocol/headers/lock.js';

const mq = (queueId: number, topic = 'TopicA'): MessageQueue => ({ topic, brokerName: 'b1', queueId });

describe('RebalanceLockManager', () => {
  it('gives a free queue to the first client, renews it for that client and refuses it to others', () => {
    let now = 0;
    const locks = new RebalanceLockManager(() => now, 60_000);
    expect(locks.tryLockBatch('G', [mq(0), mq(1)], 'c1')).toEqual([mq(0), mq(1)]);
    now = 59_000;
    expect(locks.tryLockBatch('G', [mq(1), mq(2)], 'c2')).toEqual([mq(2)]);
    expect(locks.tryLockBatch('G', [mq(0)], 'c1')).toEqual([mq(0)]);
    now = 110_000;
    // mq(1) was last renewed at 0 and is free; mq(0) at 59 000 is still c1's.
    expect(locks.tryLockBatch('G', [mq(0), mq(1)], 'c2')).toEqual([mq(1)]);
    expect([...locks.liveLocks()]).toEqual([
      { group: 'G', queue: mq(0), clientId: 'c1' },
      { group: 'G', queue: mq(1), clientId: 'c2' },
      { group: 'G', queue: mq(2), clientId: 'c2' },
    ]);
    now = 170_000;
    // Only mq(1), taken at 110 000, is still live; mq(0) and mq(2) were last locked at 59 000.
    expect([...locks.liveLocks()].map((l) => l.queue.queueId)).toEqual([1]);
    now = 110_000;
    expect([locks.owner('G', mq(0)), locks.owner('G', mq(1)), locks.owner('G', mq(2))]).toEqual([
      'c1',
      'c2',
      'c2',
    ]);
  });

  it('keeps groups and topics apart, and unlocks only the caller’s own queues', () => {
    const locks = new RebalanceLockManager(() => 0);
    expect(locks.tryLockBatch('G1', [mq(0)], 'c1')).toEqual([mq(0)]);
    expect(locks.tryLockBatch('G2', [mq(0)], 'c2')).toEqual([mq(0)]);
    expect(locks.tryLockBatch('G1', [mq(0, 'TopicB')], 'c2')).toEqual([mq(0, 'TopicB')]);
    locks.unlockBatch('G1', [mq(0)], 'c2');
    expect(locks.owner('G1', mq(0))).toBe('c1');
    locks.unlockBatch('G1', [mq(0)], 'c1');
    expect(locks.owner('G1', mq(0))).toBeUndefined();
    expect(locks.tryLockBatch('G1', [mq(0)], 'c2')).toEqual([mq(0)]);
  });

  it('never lets two clients hold one queue at once, whatever the order of locks, unlocks and time', () => {
    const op = fc.record({
      kind: fc.constantFrom('lock', 'unlock', 'wait'),
      client: fc.constantFrom('c1', 'c2', 'c3'),
      queues: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
      ms: fc.integer({ min: 0, max: 40_000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let now = 0;
        const locks = new RebalanceLockManager(() => now, 60_000);
        // Each client's view of what it holds and since when, as a consumer would keep it.
        const held = new Map<number, { client: string; since: number }>();
        for (const o of ops) {
          if (o.kind === 'wait') now += o.ms;
          else if (o.kind === 'unlock') {
            locks.unlockBatch(
              'G',
              o.queues.map((q) => mq(q)),
              o.client,
            );
            for (const q of o.queues) if (held.get(q)?.client === o.client) held.delete(q);
          } else {
            for (const got of locks.tryLockBatch(
              'G',
              o.queues.map((q) => mq(q)),
              o.client,
            )) {
              const before = held.get(got.queueId);
              // Granted to another client only once the previous holder's lock had lapsed.
              if (before !== undefined && before.client !== o.client) {
                expect(now - before.since).toBeGreaterThan(60_000);
              }
              held.set(got.queueId, { client: o.client, since: now });
            }
          }
          for (const [q, h] of held) {
            const owner = locks.owner('G', mq(q));
            expect(owner === undefined ? now - h.since > 60_000 : owner === h.client).toBe(true);
          }
        }
      }),
    );
  });
});
