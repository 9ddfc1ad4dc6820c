import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureDisk } from './disk.js';
import { diskBandwidth, figuresOf, type Measurement } from './measurement.js';
import { planFor } from './plan.js';
import { createProgress } from './progress.js';
import { reportSetups } from './setups.js';
import { brokerTable, diskTable, formatBytes, renderMarkdown, renderPlain } from './table.js';
import type { WorkloadRun } from './workloads.js';
import { sendInFlight } from '../send-timing.js';

export interface ReportOptions {
  readonly quick: boolean;
  readonly markdown: boolean;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * `npm run bench`: the disk, then every setup started fresh in its own process(es) with every body size,
 * all in one temp dir (so the disk figure is the disk the stores are on). The table goes to stdout, progress
 * to stderr, everything measured to bench/results/report-<time>.json.
 */
export async function runReport(options: ReportOptions): Promise<void> {
  const started = Date.now();
  const plan = planFor(options.quick);
  const steps = 1 + reportSetups.reduce((n, s) => n + s.workloads.length * plan.sizes.length, 0);
  const progress = createProgress(steps, (line) => process.stderr.write(`${line}\n`));
  const root = await mkdtemp(join(tmpdir(), 'rxrocket-bench-'));
  const measurements: Measurement[] = [];
  try {
    progress.step(
      `disk: ${formatBytes(plan.disk.sequentialBytes)} + fdatasync, then small synced writes in ${root}`,
    );
    const disk = await measureDisk(root, plan.disk);
    progress.note(
      `${Math.round(diskBandwidth(disk))} MB/s, fdatasync p50 ${disk.syncedWrites.latencyMs.p50.toFixed(2)} ms`,
    );
    for (const setup of reportSetups) {
      progress.note(`starting ${setup.name}`);
      const target = await setup.start(root, plan);
      try {
        for (const size of plan.sizes) {
          const body = Buffer.alloc(size.bodyBytes, 0x72);
          const run: WorkloadRun = { target, body, size, plan, note: progress.note };
          progress.note(`warming up: ${plan.warmup} x ${formatBytes(size.bodyBytes)}`);
          await sendInFlight(
            target.producer,
            { topic: `ReportWarmup${size.bodyBytes}`, body },
            plan.warmup,
            64,
          );
          for (const workload of setup.workloads) {
            progress.step(`${setup.name}, ${formatBytes(size.bodyBytes)}: ${workload.name}`);
            const m: Measurement = {
              workload: workload.name,
              setup: setup.name,
              bodyBytes: size.bodyBytes,
              ...(await workload.run(run)),
            };
            measurements.push(m);
            progress.done(m);
          }
        }
      } finally {
        await target.dispose();
        await rm(join(root, setup.name), { recursive: true, force: true });
      }
    }
    const diskMBps = diskBandwidth(disk);
    const render = options.markdown ? renderMarkdown : renderPlain;
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      [
        render(diskTable(disk)),
        '',
        render(brokerTable(measurements, diskMBps)),
        '',
        `x disk = payload MB/s / the disk's ${Math.round(diskMBps)} MB/s (sequential writes + fdatasync, same temp dir).`,
        `${plan.quick ? 'quick run' : 'full run'}: ${Math.round(seconds)} s on ${cpus().length} cores, node ${process.version}.`,
        '',
      ].join('\n'),
    );
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          quick: plan.quick,
          seconds,
          machine: {
            cpus: cpus().length,
            cpuModel: cpus()[0]?.model,
            totalMemory: totalmem(),
            node: process.version,
          },
          tempDir: root,
          plan,
          disk: { ...disk, mbPerSecond: diskMBps },
          measurements: measurements.map((m) => ({ ...m, ...figuresOf(m, diskMBps) })),
        },
        null,
        2,
      ),
    );
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
