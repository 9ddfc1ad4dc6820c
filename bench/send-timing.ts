import { firstValueFrom } from 'rxjs';
import type { Message } from '../src/client/message.js';
import type { Producer } from '../src/client/producer.js';

/** The p-th percentile of ascending `sorted` values (0 for none). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Seconds since `start`, a process.hrtime.bigint() reading. */
export const secondsSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** `count` sends one after another: the elapsed seconds and each send's latency in ms, ascending. */
export async function sendSerially(
  producer: Producer,
  message: Message,
  count: number,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await firstValueFrom(producer.send$(message));
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const seconds = secondsSince(start);
  latencies.sort((a, b) => a - b);
  return { seconds, latencies };
}

/** `count` sends with `inFlight` of them outstanding at a time; resolves the elapsed seconds. */
export async function sendInFlight(
  producer: Producer,
  message: Message,
  count: number,
  inFlight: number,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) await firstValueFrom(producer.send$(message));
    }),
  );
  return secondsSince(start);
}
