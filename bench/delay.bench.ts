import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstValueFrom } from 'rxjs';
import type * as ClientModule from '../src/client/index.js';
import type { Message } from '../src/client/message.js';
import type * as TestingModule from '../src/testing/index.js';
import { collectArrivals, percentiles } from '../test/fixtures/broker/arrival-collector.js';
import { createRoutedTopic } from '../test/fixtures/client/push-fixture.js';
import type { BenchReport } from './report.js';

/**
 * Send-to-delivery lateness of delayed messages against a broker process (levels "1s 2s 3s", ASYNC_FLUSH):
 * 3000 messages over the three levels and 1000 with a delivery time in the next 5 s, each timed from the
 * moment a raw long-polling pull hands it over. Lateness = arrival − (send + level), or arrival − deliverAt.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { createProducer } = await load<typeof ClientModule>('dist/client/index.js');
const { startBrokerProcess } = await load<typeof TestingModule>('dist/testing/index.js');

const TOPIC = 'BenchDelay';
const QUEUES = 8;
const LEVELS_MS = [1000, 2000, 3000];
const LEVELLED = 3000;
const TIMED = 1000;

export async function run(report: BenchReport): Promise<void> {
  const broker = await startBrokerProcess({ args: ['--set', 'messageDelayLevel=1s 2s 3s'] });
  const producer = createProducer({ group: 'bench-delay', namesrv: broker.namesrvAddress });
  await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, TOPIC, QUEUES);
  const collector = collectArrivals(broker.brokerAddress, TOPIC, QUEUES);
  try {
    const due = new Map<string, { at: number; kind: string }>();
    const total = LEVELLED + TIMED;
    report.progress(`sending ${total}`);
    const sendStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < total) {
          const i = next++;
          const sentAt = Date.now();
          // Interleaved, and timed from the send, so a slow send does not count as late delivery.
          const message: Message =
            i % 4 === 3
              ? { topic: TOPIC, body: `t${i}`, deliverAt: sentAt + 500 + Math.floor(Math.random() * 4500) }
              : { topic: TOPIC, body: `l${i}`, delayLevel: 1 + (i % 3) };
          due.set(
            message.body as string,
            message.delayLevel === undefined
              ? { at: message.deliverAt as number, kind: 'deliverAt' }
              : { at: sentAt + LEVELS_MS[message.delayLevel - 1]!, kind: `level ${message.delayLevel}` },
          );
          await firstValueFrom(producer.send$(message));
        }
      }),
    );
    report.progress(`sent in ${Date.now() - sendStart} ms`);
    report.progress('waiting for every delivery');
    const deadline = Date.now() + 30_000;
    while (new Set(collector.arrivals.map((a) => a.body)).size < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const late = new Map<string, number[]>();
    for (const a of collector.arrivals) {
      const { at, kind } = due.get(a.body)!;
      late.set(kind, [...(late.get(kind) ?? []), a.arrivedAt - at]);
    }
    for (const [kind, values] of [...late].sort()) {
      const p = percentiles(values);
      report.add({
        name: `${kind} lateness`,
        figures: { messages: values.length, 'p50 ms': p.p50, 'p99 ms': p.p99, 'max ms': p.max },
      });
    }
  } finally {
    await collector.stop();
    await producer.shutdown();
    await broker.dispose();
  }
}
