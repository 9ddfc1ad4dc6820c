import { percentile } from '../send-timing.js';

/** Latency percentiles in milliseconds. */
export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

/** One workload run against one broker setup with one body size: what was timed, not yet derived. */
export interface Measurement {
  /** What the client did, e.g. "send, 256 in flight". */
  readonly workload: string;
  /** What it ran against, e.g. "ASYNC_FLUSH" or "SYNC_MASTER + slave". */
  readonly setup: string;
  readonly bodyBytes: number;
  readonly messages: number;
  /** Wall time of the whole workload; absent where only latency means something (one message at a time to a consumer). */
  readonly seconds?: number;
  readonly latencyMs?: Latency;
}

/** The disk under the bench's temp dir, measured in the same run so every MB/s has a reference. */
export interface DiskMeasurement {
  /** Sequential writes of `chunkBytes` up to `bytes`, then one fdatasync, timed together (dd conv=fdatasync). */
  readonly sequential: { readonly bytes: number; readonly chunkBytes: number; readonly seconds: number };
  /** `count` appends of `bytes` each followed by its own fdatasync: what one synchronous flush costs. */
  readonly syncedWrites: {
    readonly bytes: number;
    readonly count: number;
    readonly seconds: number;
    readonly latencyMs: Latency;
  };
}

/** What a Measurement means: rates, payload bandwidth and its ratio to the disk's sequential bandwidth. */
export interface Figures {
  readonly msgsPerSecond?: number;
  readonly mbPerSecond?: number;
  readonly diskRatio?: number;
  readonly latencyMs?: Latency;
}

/** Megabytes (10^6, as dd prints) per second. */
export const megabytesPerSecond = (bytes: number, seconds: number): number => bytes / seconds / 1e6;

export const diskBandwidth = (disk: DiskMeasurement): number =>
  megabytesPerSecond(disk.sequential.bytes, disk.sequential.seconds);

export function latencyOf(ascendingMs: readonly number[]): Latency {
  return {
    p50: percentile(ascendingMs, 50),
    p99: percentile(ascendingMs, 99),
    p999: percentile(ascendingMs, 99.9),
  };
}

function throughputOf(m: Measurement, diskMBps: number): Figures {
  if (m.seconds === undefined || m.seconds <= 0) return {};
  const mbPerSecond = megabytesPerSecond(m.messages * m.bodyBytes, m.seconds);
  return {
    msgsPerSecond: m.messages / m.seconds,
    mbPerSecond,
    ...(diskMBps > 0 ? { diskRatio: mbPerSecond / diskMBps } : {}),
  };
}

/** Payload bytes only (bodies): the figure a user sizes a system by, and the one comparable across brokers. */
export function figuresOf(m: Measurement, diskMBps: number): Figures {
  return { ...throughputOf(m, diskMBps), ...(m.latencyMs === undefined ? {} : { latencyMs: m.latencyMs }) };
}
