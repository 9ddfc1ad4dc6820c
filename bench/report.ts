/** One row of a benchmark table: a name and its figures, printed aligned and collected as JSON. */
export interface BenchRow {
  readonly name: string;
  readonly figures: Readonly<Record<string, number | string>>;
}

export interface BenchReport {
  add(row: BenchRow): void;
  progress(message: string): void;
}

export const formatNumber = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);

export function renderTable(rows: readonly BenchRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.figures)))];
  const cells = rows.map((r) => [
    r.name,
    ...columns.map((c) => {
      const v = r.figures[c];
      return v === undefined ? '' : typeof v === 'number' ? formatNumber(v) : v;
    }),
  ]);
  const header = ['benchmark', ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Seconds to run `work` `count` times, after `warmup` untimed runs so the JIT has settled. */
export function timeLoop(count: number, work: (i: number) => void, warmup = 20_000): number {
  for (let i = 0; i < warmup; i++) work(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) work(i);
  return Number(process.hrtime.bigint() - start) / 1e9;
}
