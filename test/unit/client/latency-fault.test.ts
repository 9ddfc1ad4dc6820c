import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FAILED_SEND_LATENCY_MS,
  LatencyFaultTable,
  notAvailableDuration,
} from '../../../src/client/latency-fault.js';

describe('latency fault table', () => {
  it('uses RocketMQ thresholds', () => {
    expect(notAvailableDuration(10)).toBe(0);
    expect(notAvailableDuration(99)).toBe(0);
    expect(notAvailableDuration(550)).toBe(30_000);
    expect(notAvailableDuration(1500)).toBe(60_000);
    expect(notAvailableDuration(FAILED_SEND_LATENCY_MS)).toBe(600_000);
  });

  it('avoids a failed broker until its penalty expires', () => {
    const table = new LatencyFaultTable();
    table.record('b1', FAILED_SEND_LATENCY_MS, 1_000);
    expect(table.isAvailable('b1', 1_000)).toBe(false);
    expect(table.isAvailable('b1', 1_000 + 600_000)).toBe(true);
    expect(table.isAvailable('b2', 1_000)).toBe(true);
  });

  it('a fast send clears the penalty', () => {
    const table = new LatencyFaultTable();
    table.record('b1', 2_000, 0);
    table.record('b1', 5, 1);
    expect(table.isAvailable('b1', 2)).toBe(true);
  });

  it('penalty never shrinks as latency grows', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(100_000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(notAvailableDuration(lo)).toBeLessThanOrEqual(notAvailableDuration(hi));
      }),
    );
  });

  it('leastBad picks the broker that recovers first', () => {
    const table = new LatencyFaultTable();
    table.record('b1', FAILED_SEND_LATENCY_MS, 0);
    table.record('b2', 600, 0);
    expect(table.leastBad(['b1', 'b2'])).toBe('b2');
  });
});
