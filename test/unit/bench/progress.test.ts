import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../bench/report/progress.js';

describe('report progress', () => {
  it('numbers the steps out of the total and sums each result up in one line', () => {
    const lines: string[] = [];
    const progress = createProgress(2, (line) => lines.push(line));
    progress.step('ASYNC_FLUSH, 1 KiB: send, 256 in flight');
    progress.done({ workload: 'w', setup: 's', bodyBytes: 1000, messages: 20_000, seconds: 2 });
    progress.step('delivery');
    progress.note('draining');
    progress.done({
      workload: 'w',
      setup: 's',
      bodyBytes: 1000,
      messages: 10,
      latencyMs: { p50: 1, p99: 2.5, p999: 3 },
    });
    const withoutClock = lines.map((l) => l.replace(/^\[\d+:\d\d\] /, ''));
    expect(withoutClock).toEqual([
      '1/2 ASYNC_FLUSH, 1 KiB: send, 256 in flight',
      '  10,000 msgs/s, 10.00 MB/s',
      '2/2 delivery',
      '  draining',
      '  p99 2.50 ms',
    ]);
  });
});
