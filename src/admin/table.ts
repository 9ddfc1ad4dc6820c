/** Rows as columns padded to their widest cell, two spaces apart, mqadmin style (header first). */
export type Cell = string | number | boolean | undefined;

export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [columns, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "key: value" lines with the keys aligned. */
export function formatKeyValues(entries: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries
    .map(([key, value]) => `${key.padEnd(width)}  : ${value === undefined ? '' : String(value)}`)
    .join('\n');
}
