import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendInFlight } from '../send-timing.js';
import { measureDisk } from './disk.js';
import { diskBandwidth, type Measurement } from './measurement.js';
import { renderReport, writeResultFile } from './output.js';
import type { ReportPlan } from './plan.js';
import { planFor } from './plan.js';
import { createProgress, type Progress } from './progress.js';
import { reportSetups, type Setup } from './setups.js';
import { formatBytes } from './table.js';

export interface ReportOptions {
  readonly quick: boolean;
  readonly markdown: boolean;
}

/** Every workload of `setup` with every body size, against the setup started fresh with its store in `storeDir`. */
async function measureSetup(
  setup: Setup,
  storeDir: string,
  plan: ReportPlan,
  progress: Progress,
): Promise<Measurement[]> {
  progress.note(`starting ${setup.name}`);
  const target = await setup.start(storeDir, plan);
  const measurements: Measurement[] = [];
  try {
    for (const size of plan.sizes) {
      const body = Buffer.alloc(size.bodyBytes, 0x72);
      progress.note(`warming up: ${plan.warmup} x ${formatBytes(size.bodyBytes)}`);
      await sendInFlight(target.producer, { topic: `ReportWarmup${size.bodyBytes}`, body }, plan.warmup, 64);
      for (const workload of setup.workloads) {
        progress.step(`${setup.name}, ${formatBytes(size.bodyBytes)}: ${workload.name}`);
        const timed = await workload.run({ target, body, size, plan, note: progress.note });
        const m: Measurement = {
          workload: workload.name,
          setup: setup.name,
          bodyBytes: size.bodyBytes,
          ...timed,
        };
        measurements.push(m);
        progress.done(m);
      }
    }
  } finally {
    await target.dispose();
    await rm(storeDir, { recursive: true, force: true });
  }
  return measurements;
}

/**
 * `npm run bench`: the disk, then every setup started fresh in its own process(es) with every body size,
 * all under one temp dir (so the disk figure is the disk the stores are on). The tables go to stdout,
 * progress to stderr, everything measured to bench/results/report-<time>.json.
 */
export async function runReport(options: ReportOptions): Promise<void> {
  const started = Date.now();
  const plan = planFor(options.quick);
  const steps = 1 + reportSetups.reduce((n, s) => n + s.workloads.length * plan.sizes.length, 0);
  const progress = createProgress(steps, (line) => process.stderr.write(`${line}\n`));
  const root = await mkdtemp(join(tmpdir(), 'rxrocket-bench-'));
  try {
    progress.step(
      `disk: ${formatBytes(plan.disk.sequentialBytes)} + fdatasync, then synced 4 KiB writes, in ${root}`,
    );
    const disk = await measureDisk(root, plan.disk);
    const fsync = disk.syncedWrites.latencyMs.p50.toFixed(2);
    progress.note(`${Math.round(diskBandwidth(disk))} MB/s, fdatasync p50 ${fsync} ms`);
    const measurements: Measurement[] = [];
    for (const setup of reportSetups) {
      const storeDir = join(root, setup.name.replace(/\W+/g, '-'));
      measurements.push(...(await measureSetup(setup, storeDir, plan, progress)));
    }
    const result = { plan, disk, measurements, seconds: (Date.now() - started) / 1000, tempDir: root };
    process.stdout.write(renderReport(result, options.markdown));
    process.stdout.write(`results: ${await writeResultFile(result)}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
