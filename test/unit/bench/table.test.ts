import { describe, expect, it } from 'vitest';
import type { DiskMeasurement, Measurement } from '../../../bench/report/measurement.js';
import {
  brokerTable,
  diskTable,
  formatBytes,
  formatRatio,
  inReportOrder,
  renderMarkdown,
  renderPlain,
} from '../../../bench/report/table.js';

const run = (setup: string, workload: string, bodyBytes: number, seconds = 1): Measurement => ({
  workload,
  setup,
  bodyBytes,
  messages: 1000,
  seconds,
});

describe('report table', () => {
  it('names body sizes in B, KiB and MiB', () => {
    expect([128, 1024, 16 * 1024, 512 << 20, 1500].map(formatBytes)).toEqual([
      '128 B',
      '1 KiB',
      '16 KiB',
      '512 MiB',
      '1500 B',
    ]);
  });

  it('groups rows by setup and workload in first-seen order, sizes ascending within each', () => {
    const ordered = inReportOrder([
      run('ASYNC_FLUSH', 'send', 1024),
      run('ASYNC_FLUSH', 'batch', 1024),
      run('ASYNC_FLUSH', 'send', 128),
      run('SYNC_FLUSH', 'send', 128),
      run('ASYNC_FLUSH', 'batch', 128),
    ]);
    expect(ordered.map((m) => `${m.setup} ${m.workload} ${m.bodyBytes}`)).toEqual([
      'ASYNC_FLUSH send 128',
      'ASYNC_FLUSH send 1024',
      'ASYNC_FLUSH batch 128',
      'ASYNC_FLUSH batch 1024',
      'SYNC_FLUSH send 128',
    ]);
  });

  it('fills the ratio-to-disk column from payload MB/s and leaves absent figures empty', () => {
    const table = brokerTable(
      [
        run('ASYNC_FLUSH', 'send', 1000, 0.1),
        {
          workload: 'delivery',
          setup: 'ASYNC_FLUSH',
          bodyBytes: 128,
          messages: 10,
          latencyMs: { p50: 1.5, p99: 2, p999: 250 },
        },
      ],
      20,
    );
    expect(table.header).toEqual([
      'workload',
      'setup',
      'body',
      'msgs/s',
      'MB/s',
      'x disk',
      'p50 ms',
      'p99 ms',
      'p999 ms',
    ]);
    expect(table.rows).toEqual([
      ['send', 'ASYNC_FLUSH', '1000 B', '10,000', '10.00', '0.50', '', '', ''],
      ['delivery', 'ASYNC_FLUSH', '128 B', '', '', '', '1.50', '2.00', '250'],
    ]);
  });

  it('renders the disk rows with bandwidth, operations per second and fdatasync latency', () => {
    const disk: DiskMeasurement = {
      sequential: { bytes: 64 << 20, chunkBytes: 1 << 20, seconds: 0.5 },
      syncedWrites: { bytes: 4096, count: 50, seconds: 0.25, latencyMs: { p50: 4, p99: 9, p999: 12 } },
    };
    expect(diskTable(disk).rows).toEqual([
      ['64 MiB in 1 MiB writes, then fdatasync', '134', '128', '', '', ''],
      ['4 KiB append + fdatasync, 50 times', '0.82', '200', '4.00', '9.00', '12.00'],
    ]);
  });

  it('keeps two significant digits of small ratios to the disk', () => {
    expect([0.00123, 0.5, 1.234, 12.5, 0, undefined].map(formatRatio)).toEqual([
      '0.0012',
      '0.50',
      '1.2',
      '12.50',
      '0',
      '',
    ]);
  });

  const table = {
    header: ['name', 'n'],
    leftColumns: 1,
    rows: [
      ['a', '1'],
      ['longer', '1,000'],
    ],
  };

  it('pads plain text so labels align left and figures right', () => {
    expect(renderPlain(table)).toBe(
      ['name        n', '------  -----', 'a           1', 'longer  1,000'].join('\n'),
    );
  });

  it('renders markdown with right-aligned figure columns', () => {
    expect(renderMarkdown(table)).toBe(
      ['| name   |     n |', '| ------ | ----: |', '| a      |     1 |', '| longer | 1,000 |'].join('\n'),
    );
  });
});
