import { percentile, secondsSince, timeInFlight, timeSerially } from '../send-timing.js';
import type { ComparedSystem } from './system.js';

/** How many messages each phase sends; the same for every system of one durability pairing. */
export interface WorkloadCounts {
  readonly warmup: number;
  readonly serial: number;
  readonly inFlight: number;
}

/** One system's figures: rates in msgs/s, latencies in ms. */
export interface WorkloadFigures {
  readonly serialRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly inFlightRate: number;
  readonly consumeRate: number;
}

export const IN_FLIGHT = 256;

/**
 * Warm-up sends (untimed, so connections, topic routes and JITs have settled), one-in-flight sends, 256
 * in flight, then one consumer receiving and acknowledging everything sent.
 */
export async function runWorkloads(
  system: ComparedSystem,
  counts: WorkloadCounts,
  progress: (message: string) => void,
): Promise<WorkloadFigures> {
  for (let i = 0; i < counts.warmup; i++) await system.send();
  progress(`one in flight: ${counts.serial}`);
  const serial = await timeSerially(() => system.send(), counts.serial);
  progress(`${IN_FLIGHT} in flight: ${counts.inFlight}`);
  const inFlight = await timeInFlight(() => system.send(), counts.inFlight, IN_FLIGHT);
  const total = counts.warmup + counts.serial + counts.inFlight;
  progress(`consuming with acks: ${total}`);
  const start = process.hrtime.bigint();
  await system.consumeAll(total);
  const consumed = secondsSince(start);
  return {
    serialRate: counts.serial / serial.seconds,
    p50: percentile(serial.latencies, 50),
    p99: percentile(serial.latencies, 99),
    p999: percentile(serial.latencies, 99.9),
    inFlightRate: counts.inFlight / inFlight,
    consumeRate: total / consumed,
  };
}
