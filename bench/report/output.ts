import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskBandwidth, type DiskMeasurement, figuresOf, type Measurement } from './measurement.js';
import type { ReportPlan } from './plan.js';
import { brokerTable, diskTable, renderMarkdown, renderPlain } from './table.js';

export interface ReportResult {
  readonly plan: ReportPlan;
  readonly disk: DiskMeasurement;
  readonly measurements: readonly Measurement[];
  readonly seconds: number;
  readonly tempDir: string;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** The two tables and how to read them, as printed on stdout. */
export function renderReport(result: ReportResult, markdown: boolean): string {
  const diskMBps = diskBandwidth(result.disk);
  const render = markdown ? renderMarkdown : renderPlain;
  return [
    render(diskTable(result.disk)),
    '',
    render(brokerTable(result.measurements, diskMBps)),
    '',
    `Bodies only count as payload; x disk = payload MB/s / the disk's ${Math.round(diskMBps)} MB/s ` +
      `(sequential writes + fdatasync in the stores' temp dir, same run).`,
    `${result.plan.quick ? 'Quick' : 'Full'} run: ${Math.round(result.seconds)} s on ${cpus().length} cores, ` +
      `node ${process.version}.`,
    '',
  ].join('\n');
}

/** Writes everything measured, with the derived figures, to bench/results/report-<time>.json; resolves the path. */
export async function writeResultFile(result: ReportResult): Promise<string> {
  const diskMBps = diskBandwidth(result.disk);
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemory: totalmem(),
    node: process.version,
  };
  const json = {
    date: new Date().toISOString(),
    quick: result.plan.quick,
    seconds: result.seconds,
    machine,
    tempDir: result.tempDir,
    plan: result.plan,
    disk: { ...result.disk, mbPerSecond: diskMBps },
    measurements: result.measurements.map((m) => ({ ...m, ...figuresOf(m, diskMBps) })),
  };
  await writeFile(file, JSON.stringify(json, null, 2));
  return file;
}
