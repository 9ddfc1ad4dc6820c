import { builtClient, builtTesting } from './built.js';
import { drainThroughConsume, preload, sendToDelivery } from './consume-timing.js';
import type { BenchReport } from './report.js';
import { percentile } from './send-timing.js';

/**
 * Push consumer against a broker in its own process (`node dist/broker`, dev mode, a temp store), both built:
 * draining 1 KiB messages already stored on 8 queues through consume$ with a no-op handler (messages/s), and
 * send-to-delivery latency of single messages to an idle consumer whose pulls are parked (p50/p99).
 */
const { createProducer } = builtClient;
const { startBrokerProcess } = builtTesting;

const BODY = Buffer.alloc(1024, 0x63);
const QUEUES = 8;

export async function run(report: BenchReport): Promise<void> {
  const broker = await startBrokerProcess({});
  const producer = createProducer({
    group: 'bench-consume-producer',
    namesrv: broker.namesrvAddress,
    defaultTopicQueueNums: QUEUES,
  });
  try {
    report.progress('storing 100000 x 1 KiB');
    const total = await preload(producer, 'BenchDrain', BODY, 100_000);
    report.progress('draining through consume$');
    const seconds = await drainThroughConsume(broker.namesrvAddress, 'BenchDrain', 'bench-drain', total);
    report.add({
      name: 'consume$ 1KiB no-op handler, 8 queues (from subscribe)',
      figures: { 'msgs/s': total / seconds, 'MB/s': (total * BODY.length) / seconds / 1e6 },
    });
    report.progress('send-to-delivery: 3000 one at a time');
    const latencies = await sendToDelivery(
      broker.namesrvAddress,
      producer,
      'BenchLatency',
      'bench-latency',
      BODY,
      3000,
      QUEUES,
    );
    report.add({
      name: 'send$ to messages$ delivery, 1KiB, parked pulls',
      figures: { 'p50 ms': percentile(latencies, 50), 'p99 ms': percentile(latencies, 99) },
    });
  } finally {
    await producer.shutdown();
    await broker.stop();
    await broker.dispose();
  }
}
