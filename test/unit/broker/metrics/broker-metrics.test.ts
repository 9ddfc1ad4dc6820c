import { describe, expect, it } from 'vitest';
import { BrokerMetrics } from '../../../../src/broker/metrics/broker-metrics.js';
import { consumerLag } from '../../../../src/broker/metrics/consumer-lag.js';

const line = (text: string, prefix: string): string | undefined =>
  text.split('\n').find((l) => l.startsWith(prefix));

describe('BrokerMetrics', () => {
  it('adds each put and pull to its topic and to the runtime totals', async () => {
    const metrics = new BrokerMetrics({ cluster: 'C', broker: 'b' });
    metrics.recordPut('T', [{ size: 100 }, { size: 50 }], 0.002);
    metrics.recordPut('T', [{ size: 10 }], 0.0004);
    metrics.recordPull('T', 2, 150);
    const text = await metrics.exposition();
    expect(line(text, 'rocketmq_messages_in_total{')).toBe(
      'rocketmq_messages_in_total{topic="T",cluster="C",broker="b"} 3',
    );
    expect(line(text, 'rocketmq_bytes_in_total{')).toBe(
      'rocketmq_bytes_in_total{topic="T",cluster="C",broker="b"} 160',
    );
    expect(line(text, 'rocketmq_bytes_out_total{')).toBe(
      'rocketmq_bytes_out_total{topic="T",cluster="C",broker="b"} 150',
    );
    expect(line(text, 'rocketmq_put_latency_seconds_count')).toBe(
      'rocketmq_put_latency_seconds_count{cluster="C",broker="b"} 2',
    );
    expect(line(text, 'rocketmq_put_latency_seconds_bucket{le="0.0005"')).toMatch(/ 1$/);
    expect([metrics.putTotal, metrics.getTotal]).toEqual([3, 2]);
  });

  it('reads the scrape-time gauges from the attached sources, 0 before', async () => {
    const metrics = new BrokerMetrics({ cluster: 'C', broker: 'b' });
    metrics.parking.parked();
    metrics.parking.parked();
    metrics.parking.unparked();
    expect(line(await metrics.exposition(), 'rocketmq_connections')).toBe(
      'rocketmq_connections{cluster="C",broker="b"} 0',
    );
    metrics.attach({
      consumerLag: () => [{ group: 'G', topic: 'T', lag: 4 }],
      storeSizeBytes: () => Promise.resolve(4096),
      diskUsedRatio: () => Promise.resolve(0.25),
      connections: () => 3,
    });
    const text = await metrics.exposition();
    expect(line(text, 'rocketmq_consumer_lag_messages{')).toBe(
      'rocketmq_consumer_lag_messages{group="G",topic="T",cluster="C",broker="b"} 4',
    );
    expect(line(text, 'rocketmq_store_size_bytes')).toMatch(/ 4096$/);
    expect(line(text, 'rocketmq_disk_used_ratio')).toMatch(/ 0\.25$/);
    expect(line(text, 'rocketmq_connections')).toMatch(/ 3$/);
    expect(line(text, 'rocketmq_long_polling_parked_pulls')).toMatch(/ 1$/);
    expect(line(text, 'rocketmq_ha_lag_bytes')).toMatch(/ 0$/);
  });
});

describe('consumerLag', () => {
  it("sums max offset minus committed offset over the topic's readable queues", () => {
    const lag = consumerLag({
      offsets: { toJson: () => ({ offsetTable: { 'T@G': { 0: 3 }, 'gone@G': { 0: 1 } } }) },
      topics: { get: (topic) => (topic === 'T' ? { readQueueNums: 2 } : undefined) as never },
      store: { maxOffsetInQueue: (_topic, queueId) => (queueId === 0 ? 10 : 5) },
    });
    expect(lag).toEqual([
      { group: 'G', topic: 'T', lag: 12 },
      { group: 'G', topic: 'gone', lag: 0 },
    ]);
  });
});
