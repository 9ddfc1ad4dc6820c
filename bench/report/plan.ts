import type { DiskPlan } from './disk.js';

/** How many messages each workload sends for one body size: sized so each measurement runs a few seconds. */
export interface SizePlan {
  readonly bodyBytes: number;
  readonly oneInFlight: number;
  readonly inFlight: number;
  readonly batchMessages: number;
  readonly oneway: number;
  readonly consume: number;
  readonly delivery: number;
  readonly syncFlushOneInFlight: number;
  readonly syncFlushInFlight: number;
  readonly haOneInFlight: number;
  readonly haInFlight: number;
}

export interface ReportPlan {
  readonly quick: boolean;
  readonly disk: DiskPlan;
  /** Sends of each size before its first measurement in each setup, so the JIT and the page cache have settled. */
  readonly warmup: number;
  readonly inFlight: number;
  readonly batchSize: number;
  readonly batchesInFlight: number;
  readonly queues: number;
  readonly sizes: readonly SizePlan[];
}

const FULL_SIZES: readonly SizePlan[] = [
  {
    bodyBytes: 128,
    oneInFlight: 10_000,
    inFlight: 60_000,
    batchMessages: 200_000,
    oneway: 60_000,
    consume: 60_000,
    delivery: 1000,
    syncFlushOneInFlight: 1000,
    syncFlushInFlight: 30_000,
    haOneInFlight: 3000,
    haInFlight: 30_000,
  },
  {
    bodyBytes: 1024,
    oneInFlight: 10_000,
    inFlight: 50_000,
    batchMessages: 150_000,
    oneway: 50_000,
    consume: 50_000,
    delivery: 1000,
    syncFlushOneInFlight: 1000,
    syncFlushInFlight: 30_000,
    haOneInFlight: 3000,
    haInFlight: 30_000,
  },
  {
    bodyBytes: 16 * 1024,
    oneInFlight: 5000,
    inFlight: 15_000,
    batchMessages: 20_000,
    oneway: 10_000,
    consume: 10_000,
    delivery: 1000,
    syncFlushOneInFlight: 1000,
    syncFlushInFlight: 10_000,
    haOneInFlight: 2000,
    haInFlight: 10_000,
  },
];

const QUICK_DIVISOR = 20;

/** The default report, or with `quick` a smoke run of the same steps with a twentieth of the messages. */
export function planFor(quick: boolean): ReportPlan {
  const scale = (n: number): number => (quick ? Math.max(64, Math.ceil(n / QUICK_DIVISOR)) : n);
  return {
    quick,
    disk: {
      sequentialBytes: (quick ? 64 : 512) << 20,
      chunkBytes: 1 << 20,
      syncedWriteBytes: 4096,
      syncedWrites: quick ? 50 : 500,
    },
    warmup: quick ? 200 : 2000,
    inFlight: 256,
    batchSize: 32,
    batchesInFlight: 16,
    queues: 8,
    sizes: FULL_SIZES.map((s) => ({
      bodyBytes: s.bodyBytes,
      oneInFlight: scale(s.oneInFlight),
      inFlight: scale(s.inFlight),
      batchMessages: scale(s.batchMessages),
      oneway: scale(s.oneway),
      consume: scale(s.consume),
      delivery: scale(s.delivery),
      syncFlushOneInFlight: scale(s.syncFlushOneInFlight),
      syncFlushInFlight: scale(s.syncFlushInFlight),
      haOneInFlight: scale(s.haOneInFlight),
      haInFlight: scale(s.haInFlight),
    })),
  };
}
