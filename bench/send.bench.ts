import { firstValueFrom } from 'rxjs';
import { builtClient, builtTesting } from './built.js';
import type { BenchReport } from './report.js';
import { percentile, sendBatches, sendInFlight, sendOnewayUntilStored, sendSerially } from './send-timing.js';

/**
 * Producer to a broker in its own process (`node dist/broker`, dev mode, ASYNC_FLUSH, a temp store), both
 * built: 1 KiB messages one in flight (rate and latency percentiles), 256 in flight, oneway, and batches of 32.
 */
const { createProducer } = builtClient;
const { startBrokerProcess } = builtTesting;

const TOPIC = 'BenchSend';
const BODY = Buffer.alloc(1024, 0x62);

export async function run(report: BenchReport): Promise<void> {
  const broker = await startBrokerProcess({});
  const producer = createProducer({ group: 'bench-producer', namesrv: broker.namesrvAddress });
  try {
    for (let i = 0; i < 2000; i++) await firstValueFrom(producer.send$({ topic: TOPIC, body: BODY }));

    const serialCount = 20_000;
    report.progress(`one in flight: ${serialCount}`);
    const { seconds: serial, latencies } = await sendSerially(
      producer,
      { topic: TOPIC, body: BODY },
      serialCount,
    );
    report.add({
      name: 'send$ 1KiB, 1 in flight',
      figures: {
        'msgs/s': serialCount / serial,
        'MB/s': (serialCount * BODY.length) / serial / 1e6,
        'p50 ms': percentile(latencies, 50),
        'p99 ms': percentile(latencies, 99),
      },
    });

    const parallelCount = 200_000;
    report.progress(`256 in flight: ${parallelCount}`);
    const parallel = await sendInFlight(producer, { topic: TOPIC, body: BODY }, parallelCount, 256);
    report.add({
      name: 'send$ 1KiB, 256 in flight',
      figures: { 'msgs/s': parallelCount / parallel, 'MB/s': (parallelCount * BODY.length) / parallel / 1e6 },
    });

    const onewayCount = 100_000;
    report.progress(`oneway: ${onewayCount}`);
    const oneway = await sendOnewayUntilStored(producer, { topic: TOPIC, body: BODY }, onewayCount);
    report.add({
      name: 'sendOneway$ 1KiB (until stored)',
      figures: { 'msgs/s': onewayCount / oneway, 'MB/s': (onewayCount * BODY.length) / oneway / 1e6 },
    });

    const batches = 10_000;
    const batch = Array.from({ length: 32 }, () => ({ topic: TOPIC, body: BODY }));
    report.progress(`batches of 32: ${batches}`);
    const batched = await sendBatches(producer, batch, batches, 16);
    report.add({
      name: 'sendBatch$ 32 x 1KiB, 16 in flight',
      figures: {
        'msgs/s': (batches * 32) / batched,
        'MB/s': (batches * 32 * BODY.length) / batched / 1e6,
      },
    });
  } finally {
    await producer.shutdown();
    await broker.stop();
    await broker.dispose();
  }
}
