// Broadcasting: every member of the group gets every message, each keeping its own offsets in a local file.
// In your code: from 'rxrocket/client'.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, take, tap, toArray } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleBroadcast';
const producer = createProducer({ group: 'example-broadcast-producer', namesrv });
for (let i = 0; i < 4; i++) await lastValueFrom(producer.send$({ topic, body: `news ${i}` }));

const offsetStoreDir = await mkdtemp(join(tmpdir(), 'example-broadcast-'));
const member = (instanceName: string) =>
  createPushConsumer({
    group: 'example-broadcast',
    namesrv,
    model: 'BROADCASTING',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    instanceName,
    offsetStoreDir,
  });
const members = [member('member-a'), member('member-b')];
const received = await Promise.all(
  members.map((consumer) =>
    lastValueFrom(
      consumer.messages$(topic).pipe(
        tap((m) => {
          m.ack();
        }),
        map((m) => Buffer.from(m.body).toString('utf8')),
        take(4),
        toArray(),
      ),
    ),
  ),
);
received.forEach((bodies, i) => {
  console.log(`member ${i + 1} got: ${bodies.sort().join(', ')}`);
});
await Promise.all(members.map((consumer) => consumer.shutdown()));
await producer.shutdown();
await rm(offsetStoreDir, { recursive: true, force: true });
