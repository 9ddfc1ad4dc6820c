import { describe, expect, it } from 'vitest';
import { type Outcome, ratioRows } from '../../../../bench/compare/ratio-rows.js';
import type { WorkloadFigures } from '../../../../bench/compare/workloads.js';

const figures = (over: Partial<WorkloadFigures>): WorkloadFigures => ({
  serialRate: 1000,
  p50: 1,
  p99: 2,
  p999: 4,
  inFlightRate: 10_000,
  consumeRate: 20_000,
  ...over,
});

const PEERS = [
  { system: 'Redis', ratio: 'x redis' },
  { system: 'JetStream', ratio: 'x nats' },
];

const rowsOf = (outcomes: Record<string, Outcome>) =>
  new Map(ratioRows('async', new Map(Object.entries(outcomes)), PEERS).map((r) => [r.name, r.figures]));

describe('ratioRows', () => {
  it('gives throughput as ours over the peer and latency as the peer over ours, so above 1 is RxRocket ahead', () => {
    const rows = rowsOf({
      RxRocket: { durability: 'ASYNC_FLUSH', figures: figures({ serialRate: 3000, p99: 1 }) },
      Redis: { durability: 'appendfsync everysec', figures: figures({ serialRate: 1000, p99: 4 }) },
      JetStream: { durability: 'default', figures: figures({ serialRate: 6000, p99: 0.5 }) },
    });
    expect(rows.get('async: send 1 KiB, 1 in flight, msgs/s')).toEqual({
      RxRocket: 3000,
      Redis: 1000,
      JetStream: 6000,
      'x redis': 3,
      'x nats': 0.5,
    });
    expect(rows.get('async: send 1 KiB, 1 in flight, p99 ms')).toMatchObject({ 'x redis': 4, 'x nats': 0.5 });
    expect(rows.get('async: consume all with acks, msgs/s')).toMatchObject({ 'x redis': 1, 'x nats': 1 });
  });

  it('names each durability and leaves a skipped peer without figures or ratios', () => {
    const rows = rowsOf({
      RxRocket: { durability: 'SYNC_FLUSH', figures: figures({}) },
      Redis: { durability: 'appendfsync always', figures: figures({ inFlightRate: 5000 }) },
      JetStream: { durability: 'sync_interval always', missing: 'skipped: not installed' },
    });
    expect(rows.get('async: durability')).toEqual({
      RxRocket: 'SYNC_FLUSH',
      Redis: 'appendfsync always',
      JetStream: 'skipped: not installed',
    });
    expect(rows.get('async: send 1 KiB, 256 in flight, msgs/s')).toEqual({
      RxRocket: 10_000,
      Redis: 5000,
      JetStream: '-',
      'x redis': 2,
      'x nats': '-',
    });
  });

  it('has no ratios when RxRocket itself failed', () => {
    const rows = rowsOf({
      RxRocket: { durability: 'ASYNC_FLUSH', missing: 'ASYNC_FLUSH: failed' },
      Redis: { durability: 'appendfsync everysec', figures: figures({}) },
    });
    expect(rows.get('async: send 1 KiB, 1 in flight, p50 ms')).toMatchObject({
      RxRocket: '-',
      'x redis': '-',
    });
    expect(rows.get('async: durability')).toMatchObject({ RxRocket: 'ASYNC_FLUSH: failed', JetStream: '' });
  });
});
