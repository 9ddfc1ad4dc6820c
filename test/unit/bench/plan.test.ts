import { describe, expect, it } from 'vitest';
import { planFor } from '../../../bench/report/plan.js';

describe('report plan', () => {
  it('measures 128 B, 1 KiB and 16 KiB bodies against a 512 MiB dd-like disk write', () => {
    const full = planFor(false);
    expect(full.sizes.map((s) => s.bodyBytes)).toEqual([128, 1024, 16 * 1024]);
    expect(full.disk.sequentialBytes).toBe(512 << 20);
    expect(full.disk.chunkBytes).toBe(1 << 20);
    expect(full.inFlight).toBe(256);
  });

  it('runs the same steps with a twentieth of the messages in the quick run, never below 64', () => {
    const full = planFor(false);
    const quick = planFor(true);
    expect(quick.sizes.map((s) => s.bodyBytes)).toEqual(full.sizes.map((s) => s.bodyBytes));
    full.sizes.forEach((size, i) => {
      for (const [name, count] of Object.entries(size)) {
        const expected = name === 'bodyBytes' ? count : Math.max(64, Math.ceil(count / 20));
        expect(quick.sizes[i]![name as keyof typeof size], name).toBe(expected);
      }
    });
    expect(quick.disk.sequentialBytes).toBeLessThan(full.disk.sequentialBytes);
  });
});
