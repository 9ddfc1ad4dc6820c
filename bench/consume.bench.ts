import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EMPTY, firstValueFrom, type Subscription } from 'rxjs';
import type * as ClientModule from '../src/client/index.js';
import type * as TestingModule from '../src/testing/index.js';
import type { BenchReport } from './report.js';
import { percentile } from './send-timing.js';

/**
 * Push consumer against a broker in its own process (`node dist/broker`, dev mode, a temp store), both built:
 * draining 1 KiB messages already stored on 8 queues through consume$ with a no-op handler (messages/s), and
 * send-to-delivery latency of single messages to an idle consumer whose pulls are parked (p50/p99).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { createProducer, createPushConsumer } = await load<typeof ClientModule>('dist/client/index.js');
const { startBrokerProcess } = await load<typeof TestingModule>('dist/testing/index.js');

const BODY = Buffer.alloc(1024, 0x63);

export async function run(report: BenchReport): Promise<void> {
  const broker = await startBrokerProcess({});
  const producer = createProducer({
    group: 'bench-consume-producer',
    namesrv: broker.namesrvAddress,
    defaultTopicQueueNums: 8,
  });
  try {
    await drain(report, broker.namesrvAddress, producer);
    await latency(report, broker.namesrvAddress, producer);
  } finally {
    await producer.shutdown();
    await broker.stop();
    await broker.dispose();
  }
}

async function drain(report: BenchReport, namesrv: string, producer: ClientModule.Producer): Promise<void> {
  const topic = 'BenchDrain';
  const total = 100_000;
  report.progress(`storing ${total} x 1 KiB`);
  const batch = Array.from({ length: 32 }, () => ({ topic, body: BODY }));
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while ((next += batch.length) <= total) await firstValueFrom(producer.sendBatch$(batch));
    }),
  );
  report.progress('draining through consume$');
  const consumer = createPushConsumer({
    group: 'bench-drain',
    namesrv,
    instanceName: 'bench-drain',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  let received = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const subscription: Subscription = consumer
      .consume$(topic, '*', () => EMPTY, { concurrency: 64 })
      .subscribe(() => {
        if (++received === total) {
          subscription.unsubscribe();
          resolve();
        }
      });
  });
  const seconds = (performance.now() - start) / 1000;
  await consumer.shutdown();
  report.add({
    name: 'consume$ 1KiB no-op handler, 8 queues (from subscribe)',
    figures: { 'msgs/s': total / seconds, 'MB/s': (total * BODY.length) / seconds / 1e6 },
  });
}

async function latency(report: BenchReport, namesrv: string, producer: ClientModule.Producer): Promise<void> {
  const topic = 'BenchLatency';
  await firstValueFrom(producer.send$({ topic, body: BODY }));
  const consumer = createPushConsumer({ group: 'bench-latency', namesrv, instanceName: 'bench-latency' });
  const count = 3000;
  const latencies: number[] = [];
  let delivered: (() => void) | undefined;
  let sentAt = 0;
  const subscription = consumer.messages$(topic).subscribe((m) => {
    m.ack();
    latencies.push(performance.now() - sentAt);
    delivered?.();
  });
  try {
    report.progress('waiting for the consumer to own the queues');
    while (consumer.assignment(topic).length < 8) await new Promise((resolve) => setTimeout(resolve, 50));
    // past the first pulls, so that every send below wakes a parked pull
    await new Promise((resolve) => setTimeout(resolve, 1000));
    latencies.length = 0;
    report.progress(`send-to-delivery: ${count} one at a time`);
    for (let i = 0; i < count; i++) {
      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      sentAt = performance.now();
      await firstValueFrom(producer.send$({ topic, body: BODY }));
      await arrived;
    }
  } finally {
    subscription.unsubscribe();
    await consumer.shutdown();
  }
  latencies.sort((a, b) => a - b);
  report.add({
    name: 'send$ to messages$ delivery, 1KiB, parked pulls',
    figures: { 'p50 ms': percentile(latencies, 50), 'p99 ms': percentile(latencies, 99) },
  });
}
