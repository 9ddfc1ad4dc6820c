import { performance } from 'node:perf_hooks';
import { EMPTY, firstValueFrom, type Subscription } from 'rxjs';
import type { Producer } from '../src/client/producer.js';
import { builtClient } from './built.js';
import { sendBatches } from './send-timing.js';

const { createPushConsumer } = builtClient;
const PRELOAD_BATCH = 32;
const DRAIN_LIMIT_MS = 300_000;
const DELIVERY_LIMIT_MS = 30_000;

/** `promise`, or a failure naming `what` after `ms`: a lost message fails the run instead of hanging it. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stores `total` messages of `body` on `topic` (rounded down to whole batches of 32) before any consumer. */
export async function preload(
  producer: Producer,
  topic: string,
  body: Buffer,
  total: number,
): Promise<number> {
  const batches = Math.floor(total / PRELOAD_BATCH);
  const batch = Array.from({ length: PRELOAD_BATCH }, () => ({ topic, body }));
  await sendBatches(producer, batch, batches, 16);
  return batches * PRELOAD_BATCH;
}

/**
 * Seconds for a new push consumer group to receive `total` messages already stored on `topic`, from its
 * subscription on, through consume$ with a no-op handler (so the figure is the delivery path, not the handler).
 */
export async function drainThroughConsume(
  namesrv: string,
  topic: string,
  group: string,
  total: number,
): Promise<number> {
  const consumer = createPushConsumer({
    group,
    namesrv,
    instanceName: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  let received = 0;
  let subscription: Subscription | undefined;
  const start = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      // A drain that stalls fails the run with what arrived, rather than hanging a report nobody watches.
      const stalled = setTimeout(() => {
        reject(
          new Error(`consume$ of ${topic} stalled: ${received} of ${total} messages in ${DRAIN_LIMIT_MS} ms`),
        );
      }, DRAIN_LIMIT_MS);
      subscription = consumer
        .consume$(topic, '*', () => EMPTY, { concurrency: 64 })
        .subscribe({
          next: () => {
            if (++received < total) return;
            clearTimeout(stalled);
            resolve();
          },
          error: (error: unknown) => {
            clearTimeout(stalled);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        });
    });
    return (performance.now() - start) / 1000;
  } finally {
    subscription?.unsubscribe();
    await consumer.shutdown();
  }
}

/**
 * Send-to-delivery latency in ms, ascending: `count` messages sent one at a time to an idle consumer of
 * `queues` queues whose pulls are parked, each timed from the send to its arrival in messages$.
 */
export async function sendToDelivery(
  namesrv: string,
  producer: Producer,
  topic: string,
  group: string,
  body: Buffer,
  count: number,
  queues: number,
): Promise<number[]> {
  await firstValueFrom(producer.send$({ topic, body }));
  const consumer = createPushConsumer({ group, namesrv, instanceName: group });
  const latencies: number[] = [];
  let delivered: (() => void) | undefined;
  let sentAt = 0;
  const subscription = consumer.messages$(topic).subscribe((m) => {
    m.ack();
    latencies.push(performance.now() - sentAt);
    delivered?.();
  });
  try {
    while (consumer.assignment(topic).length < queues)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // past the first pulls, so that every send below wakes a parked pull
    await new Promise((resolve) => setTimeout(resolve, 1000));
    latencies.length = 0;
    for (let i = 0; i < count; i++) {
      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      sentAt = performance.now();
      await firstValueFrom(producer.send$({ topic, body }));
      await within(arrived, DELIVERY_LIMIT_MS, `message ${i} of ${topic} was not delivered`);
    }
  } finally {
    subscription.unsubscribe();
    await consumer.shutdown();
  }
  return latencies.sort((a, b) => a - b);
}
