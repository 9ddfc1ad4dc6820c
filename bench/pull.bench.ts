import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstValueFrom } from 'rxjs';
import type * as ClientModule from '../src/client/index.js';
import type * as TestingModule from '../src/testing/index.js';
import type { BenchReport } from './report.js';
import { secondsSince } from './send-timing.js';

/**
 * Pull consumer against a broker in its own process (both built): a 4-queue topic filled with 1 KiB
 * messages first, then read to the end by `for await` and by a poll() loop, each as a group of its own.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { createProducer, createPullConsumer } = await load<typeof ClientModule>('dist/client/index.js');
const { startBrokerProcess } = await load<typeof TestingModule>('dist/testing/index.js');

const TOPIC = 'BenchPull';
const BODY = Buffer.alloc(1024, 0x70);
const COUNT = 100_000;

export async function run(report: BenchReport): Promise<void> {
  const broker = await startBrokerProcess({});
  const producer = createProducer({ group: 'bench-pull-producer', namesrv: broker.namesrvAddress });
  const consumers: ClientModule.PullConsumer[] = [];
  const consumer = (group: string, pullBatchSize: number): ClientModule.PullConsumer => {
    const c = createPullConsumer({
      group,
      namesrv: broker.namesrvAddress,
      instanceName: group,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pullBatchSize,
    });
    consumers.push(c);
    return c;
  };
  try {
    report.progress(`filling ${TOPIC} with ${COUNT} messages`);
    const batch = Array.from({ length: 32 }, () => ({ topic: TOPIC, body: BODY }));
    for (let sent = 0; sent < COUNT; sent += batch.length) await firstValueFrom(producer.sendBatch$(batch));

    for (const pullBatchSize of [10, 32]) {
      const iterated = consumer(`bench-pull-iterate-${pullBatchSize}`, pullBatchSize);
      iterated.assign(await iterated.fetchQueues(TOPIC));
      report.progress(`for await, pullBatchSize ${pullBatchSize}`);
      let start = process.hrtime.bigint();
      let seen = 0;
      for await (const m of iterated) {
        seen += m.body.length > 0 ? 1 : 0;
        if (seen === COUNT) break;
      }
      const iterateTime = secondsSince(start);
      report.add({
        name: `pull consumer for await 1KiB, batch ${pullBatchSize}`,
        figures: { 'msgs/s': COUNT / iterateTime, 'MB/s': (COUNT * BODY.length) / iterateTime / 1e6 },
      });

      const polled = consumer(`bench-pull-poll-${pullBatchSize}`, pullBatchSize);
      polled.assign(await polled.fetchQueues(TOPIC));
      report.progress(`poll(), pullBatchSize ${pullBatchSize}`);
      start = process.hrtime.bigint();
      seen = 0;
      while (seen < COUNT) seen += (await polled.poll()).length;
      const pollTime = secondsSince(start);
      report.add({
        name: `pull consumer poll() 1KiB, batch ${pullBatchSize}`,
        figures: { 'msgs/s': COUNT / pollTime, 'MB/s': (COUNT * BODY.length) / pollTime / 1e6 },
      });
    }
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
    await producer.shutdown();
    await broker.stop();
    await broker.dispose();
  }
}
