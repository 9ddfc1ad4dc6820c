import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import type * as ClientModule from '../src/client/index.js';
import type * as TestingModule from '../src/testing/index.js';
import type { BenchReport } from './report.js';
import { percentile, secondsSince, sendInFlight, sendSerially } from './send-timing.js';

/**
 * Producer to a broker in its own process (`node dist/broker`, dev mode, ASYNC_FLUSH, a temp store), both
 * built: 1 KiB messages one in flight (rate and latency percentiles), 256 in flight, oneway, and batches of 32.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { createProducer } = await load<typeof ClientModule>('dist/client/index.js');
const { startBrokerProcess } = await load<typeof TestingModule>('dist/testing/index.js');

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

    // Oneway sends are counted until the broker has stored them all: a sync send behind them on the same
    // connection is answered only after them.
    const onewayCount = 100_000;
    report.progress(`oneway: ${onewayCount}`);
    let start = process.hrtime.bigint();
    for (let i = 0; i < onewayCount; i++) {
      await lastValueFrom(producer.sendOneway$({ topic: TOPIC, body: BODY }), { defaultValue: undefined });
    }
    await firstValueFrom(producer.send$({ topic: TOPIC, body: BODY }, { timeoutMs: 120_000 }));
    const oneway = secondsSince(start);
    report.add({
      name: 'sendOneway$ 1KiB (until stored)',
      figures: { 'msgs/s': onewayCount / oneway, 'MB/s': (onewayCount * BODY.length) / oneway / 1e6 },
    });

    const batches = 10_000;
    const batch = Array.from({ length: 32 }, () => ({ topic: TOPIC, body: BODY }));
    report.progress(`batches of 32: ${batches}`);
    let next = 0;
    start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < batches) await firstValueFrom(producer.sendBatch$(batch));
      }),
    );
    const batched = secondsSince(start);
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
