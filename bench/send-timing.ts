import { firstValueFrom, lastValueFrom } from 'rxjs';
import type { Message } from '../src/client/message.js';
import type { Producer } from '../src/client/producer.js';

/** The p-th percentile of ascending `sorted` values (0 for none). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Seconds since `start`, a process.hrtime.bigint() reading. */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** One send that resolves when the system has acknowledged it: any client's, so peers can run the same loops. */
export type TimedSend = () => Promise<unknown>;

/** `count` sends one after another: the elapsed seconds and each send's latency in ms, ascending. */
export async function timeSerially(
  send: TimedSend,
  count: number,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await send();
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const seconds = secondsSince(start);
  latencies.sort((a, b) => a - b);
  return { seconds, latencies };
}

/** `count` sends with `inFlight` of them outstanding at a time; resolves the elapsed seconds. */
export async function timeInFlight(send: TimedSend, count: number, inFlight: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) await send();
    }),
  );
  return secondsSince(start);
}

export const sendSerially = (
  producer: Producer,
  message: Message,
  count: number,
): Promise<{ seconds: number; latencies: number[] }> =>
  timeSerially(() => firstValueFrom(producer.send$(message)), count);

export const sendInFlight = (
  producer: Producer,
  message: Message,
  count: number,
  inFlight: number,
): Promise<number> => timeInFlight(() => firstValueFrom(producer.send$(message)), count, inFlight);

/**
 * `count` oneway sends, counted until the broker has stored them all: a sync send behind them on the same
 * connection is answered only after them. Resolves the elapsed seconds.
 */
export async function sendOnewayUntilStored(
  producer: Producer,
  message: Message,
  count: number,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await lastValueFrom(producer.sendOneway$(message), { defaultValue: undefined });
  }
  await firstValueFrom(producer.send$(message, { timeoutMs: 120_000 }));
  return secondsSince(start);
}

/** `batches` sends of `batch` with `inFlight` of them outstanding at a time; resolves the elapsed seconds. */
export const sendBatches = (
  producer: Producer,
  batch: readonly Message[],
  batches: number,
  inFlight: number,
): Promise<number> => timeInFlight(() => firstValueFrom(producer.sendBatch$(batch)), batches, inFlight);
