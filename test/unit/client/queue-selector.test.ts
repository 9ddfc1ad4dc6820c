import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILED_SEND_LATENCY_MS, LatencyFaultTable } from '../../../src/client/latency-fault.js';
import { type MessageQueue, RoundRobinSelector, selectByHash } from '../../../src/client/queue-selector.js';

const queuesOf = (brokers: readonly string[], perBroker: number): MessageQueue[] =>
  brokers.flatMap((brokerName) =>
    Array.from({ length: perBroker }, (_, queueId) => ({ topic: 'T', brokerName, queueId })),
  );

describe('queue selection', () => {
  it('round robin visits every queue', () => {
    const queues = queuesOf(['a', 'b'], 4);
    const selector = new RoundRobinSelector(new LatencyFaultTable());
    const seen = new Set(Array.from({ length: 8 }, () => selector.select(queues, 0)));
    expect(seen.size).toBe(8);
  });

  it('skips a broker marked unavailable, and the broker that just failed', () => {
    const queues = queuesOf(['a', 'b', 'c'], 2);
    const faults = new LatencyFaultTable();
    faults.record('a', FAILED_SEND_LATENCY_MS, 0);
    const selector = new RoundRobinSelector(faults);
    for (let i = 0; i < 50; i++) {
      const q = selector.select(queues, 1, 'b');
      expect(q.brokerName).toBe('c');
    }
  });

  it('still picks a queue when every broker is penalised', () => {
    const queues = queuesOf(['a', 'b'], 2);
    const faults = new LatencyFaultTable();
    faults.record('a', FAILED_SEND_LATENCY_MS, 0);
    faults.record('b', 600, 0);
    expect(new RoundRobinSelector(faults).select(queues, 1).brokerName).toBe('b');
  });

  it('hash selection is stable per key and in range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const queues = queuesOf(['a'], n);
        const first = selectByHash(queues, key);
        expect(selectByHash(queues, key)).toBe(first);
        expect(queues).toContain(first);
      }),
    );
  });
});
