import { describe, expect, it } from 'vitest';
import {
  type DiskMeasurement,
  diskBandwidth,
  figuresOf,
  latencyOf,
  type Measurement,
} from '../../../bench/report/measurement.js';

const disk: DiskMeasurement = {
  sequential: { bytes: 512 << 20, chunkBytes: 1 << 20, seconds: 2 },
  syncedWrites: { bytes: 4096, count: 100, seconds: 0.5, latencyMs: { p50: 4, p99: 9, p999: 12 } },
};

describe('report figures', () => {
  it('takes the disk bandwidth in MB (10^6) per second, as dd prints it', () => {
    expect(diskBandwidth(disk)).toBeCloseTo(268.435456, 6);
  });

  it('derives msgs/s, payload MB/s and the ratio to the disk from a timed run', () => {
    const m: Measurement = {
      workload: 'send',
      setup: 'ASYNC_FLUSH',
      bodyBytes: 1000,
      messages: 50_000,
      seconds: 2,
    };
    const f = figuresOf(m, 100);
    expect(f.msgsPerSecond).toBe(25_000);
    expect(f.mbPerSecond).toBe(25);
    expect(f.diskRatio).toBe(0.25);
    expect(f.latencyMs).toBeUndefined();
  });

  it('gives a latency-only run no rate, and no ratio when the disk was not measured', () => {
    const latencyMs = { p50: 1, p99: 2, p999: 3 };
    const onlyLatency = figuresOf(
      { workload: 'd', setup: 's', bodyBytes: 128, messages: 10, latencyMs },
      100,
    );
    expect(onlyLatency).toEqual({ latencyMs });
    const noDisk = figuresOf({ workload: 'd', setup: 's', bodyBytes: 128, messages: 10, seconds: 1 }, 0);
    expect(noDisk.diskRatio).toBeUndefined();
    expect(noDisk.msgsPerSecond).toBe(10);
  });

  it('reads p50, p99 and p999 from ascending samples', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(latencyOf(samples)).toEqual({ p50: 501, p99: 991, p999: 1000 });
    expect(latencyOf([])).toEqual({ p50: 0, p99: 0, p999: 0 });
  });
});
