import { formatNumber } from '../report.js';
import {
  type DiskMeasurement,
  diskBandwidth,
  figuresOf,
  type Latency,
  type Measurement,
  megabytesPerSecond,
} from './measurement.js';

/** A table as cells: the first `leftColumns` columns are labels (left-aligned), the rest figures. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly leftColumns: number;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

const cell = (n: number | undefined): string => (n === undefined ? '' : formatNumber(n));

/** Two significant digits below 10: a payload of a thousandth of the disk still reads as a figure, not 0.00. */
export const formatRatio = (r: number | undefined): string =>
  r === undefined ? '' : r >= 10 ? formatNumber(r) : r === 0 ? '0' : r.toPrecision(2);
const latencyCells = (l: Latency | undefined): string[] => [cell(l?.p50), cell(l?.p99), cell(l?.p999)];

export function diskTable(disk: DiskMeasurement): Table {
  const { sequential, syncedWrites } = disk;
  return {
    header: ['disk (bench temp dir)', 'MB/s', 'ops/s', 'p50 ms', 'p99 ms', 'p999 ms'],
    leftColumns: 1,
    rows: [
      [
        `${formatBytes(sequential.bytes)} in ${formatBytes(sequential.chunkBytes)} writes, then fdatasync`,
        cell(diskBandwidth(disk)),
        cell(sequential.bytes / sequential.chunkBytes / sequential.seconds),
        '',
        '',
        '',
      ],
      [
        `${formatBytes(syncedWrites.bytes)} append + fdatasync, ${syncedWrites.count} times`,
        cell(megabytesPerSecond(syncedWrites.bytes * syncedWrites.count, syncedWrites.seconds)),
        cell(syncedWrites.count / syncedWrites.seconds),
        ...latencyCells(syncedWrites.latencyMs),
      ],
    ],
  };
}

/**
 * Rows grouped by setup and workload in the order they first appear, smallest body first within a group, so
 * that the sizes of one workload read down together.
 */
export function inReportOrder(measurements: readonly Measurement[]): Measurement[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.setup}\n${m.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].flatMap((group) => [...group].sort((a, b) => a.bodyBytes - b.bodyBytes));
}

/** One row per measurement; "x disk" is payload MB/s over the disk's sequential write+fdatasync MB/s. */
export function brokerTable(measurements: readonly Measurement[], diskMBps: number): Table {
  return {
    header: ['workload', 'setup', 'body', 'msgs/s', 'MB/s', 'x disk', 'p50 ms', 'p99 ms', 'p999 ms'],
    leftColumns: 3,
    rows: inReportOrder(measurements).map((m) => {
      const f = figuresOf(m, diskMBps);
      return [
        m.workload,
        m.setup,
        formatBytes(m.bodyBytes),
        cell(f.msgsPerSecond),
        cell(f.mbPerSecond),
        formatRatio(f.diskRatio),
        ...latencyCells(f.latencyMs),
      ];
    }),
  };
}

const widthsOf = (table: Table): number[] =>
  table.header.map((h, i) => Math.max(h.length, ...table.rows.map((row) => row[i]?.length ?? 0)));

const aligned = (table: Table, widths: readonly number[], row: readonly string[]): string[] =>
  row.map((c, i) => (i < table.leftColumns ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)));

/** Columns padded to line up in a terminal. */
export function renderPlain(table: Table): string {
  const widths = widthsOf(table);
  const line = (row: readonly string[]): string => aligned(table, widths, row).join('  ').trimEnd();
  return [line(table.header), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join(
    '\n',
  );
}

/** A GitHub markdown table, padded as well so that the source reads like the rendering. */
export function renderMarkdown(table: Table): string {
  const widths = widthsOf(table).map((w) => Math.max(w, 3));
  const line = (row: readonly string[]): string => `| ${aligned(table, widths, row).join(' | ')} |`;
  const rule = widths.map((w, i) => (i < table.leftColumns ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [line(table.header), `| ${rule.join(' | ')} |`, ...table.rows.map(line)].join('\n');
}
