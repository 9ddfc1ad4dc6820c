import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchReport, type BenchRow, renderTable } from './report.js';

/**
 * `npm run bench -- <suite>...` runs every bench/<suite>*.bench.ts. Each file exports `run(report)`. Prints
 * one table and writes it as JSON under bench/results/.
 */
interface BenchModule {
  run(report: BenchReport): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function runSuites(suites: readonly string[]): Promise<void> {
  const files = (await readdir(here))
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => suites.some((s) => f.startsWith(s)))
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no benchmark matches ${suites.join(', ')}\n`);
    process.exit(2);
  }
  const rows: BenchRow[] = [];
  const report: BenchReport = {
    add: (row) => {
      rows.push(row);
      process.stderr.write(`  done: ${row.name}\n`);
    },
    progress: (message) => {
      process.stderr.write(`  ${message}\n`);
    },
  };
  for (const file of files) {
    process.stderr.write(`${file}\n`);
    const mod = (await import(join(here, file))) as BenchModule;
    await mod.run(report);
  }
  process.stdout.write(`${renderTable(rows)}\n`);
  const resultsDir = join(here, 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ date: new Date().toISOString(), suites, rows }, null, 2));
  process.stdout.write(`results: ${file}\n`);
}
