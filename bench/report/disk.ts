import { randomFillSync } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { secondsSince } from '../send-timing.js';
import { type DiskMeasurement, latencyOf } from './measurement.js';

export interface DiskPlan {
  /** Bytes written sequentially before the one fdatasync. */
  readonly sequentialBytes: number;
  readonly chunkBytes: number;
  readonly syncedWriteBytes: number;
  readonly syncedWrites: number;
}

/** Like `dd if=/dev/urandom of=FILE bs=1M count=N conv=fdatasync`: write everything, then one fdatasync. */
async function sequential(file: string, plan: DiskPlan): Promise<DiskMeasurement['sequential']> {
  // Random bytes, so that a compressing or deduplicating layer cannot flatter the figure.
  const chunk = randomFillSync(Buffer.allocUnsafe(plan.chunkBytes));
  const chunks = Math.ceil(plan.sequentialBytes / plan.chunkBytes);
  const handle = await open(file, 'w');
  try {
    const start = process.hrtime.bigint();
    for (let i = 0; i < chunks; i++) await handle.write(chunk, 0, chunk.length, null);
    await handle.datasync();
    return { bytes: chunks * plan.chunkBytes, chunkBytes: plan.chunkBytes, seconds: secondsSince(start) };
  } finally {
    await handle.close();
  }
}

/** Small appends each made durable before the next: the floor under a SYNC_FLUSH send's latency. */
async function syncedWrites(file: string, plan: DiskPlan): Promise<DiskMeasurement['syncedWrites']> {
  const chunk = randomFillSync(Buffer.allocUnsafe(plan.syncedWriteBytes));
  const handle = await open(file, 'w');
  const latencies: number[] = [];
  try {
    const start = process.hrtime.bigint();
    for (let i = 0; i < plan.syncedWrites; i++) {
      const t = process.hrtime.bigint();
      await handle.write(chunk, 0, chunk.length, null);
      await handle.datasync();
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const seconds = secondsSince(start);
    latencies.sort((a, b) => a - b);
    return {
      bytes: plan.syncedWriteBytes,
      count: plan.syncedWrites,
      seconds,
      latencyMs: latencyOf(latencies),
    };
  } finally {
    await handle.close();
  }
}

/** The disk under `dir` (the directory the brokers' stores live in), measured with files removed afterwards. */
export async function measureDisk(dir: string, plan: DiskPlan): Promise<DiskMeasurement> {
  const file = join(dir, 'disk-probe');
  try {
    const seq = await sequential(file, plan);
    await rm(file, { force: true });
    return { sequential: seq, syncedWrites: await syncedWrites(file, plan) };
  } finally {
    await rm(file, { force: true });
  }
}
