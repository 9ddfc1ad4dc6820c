// Tag filter: the broker and the client keep only the tags subscribed to. In your code: from 'rxrocket/client'.
import { lastValueFrom, takeWhile, tap } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleTagFilter';
const producer = createProducer({ group: 'example-tag-producer', namesrv });
// One sharding key: one queue, so the last message also comes last.
for (const [body, tags] of [
  ['a1', 'TagA'],
  ['b1', 'TagB'],
  ['c1', 'TagC'],
  ['a2', 'TagA'],
  ['end', 'TagC'],
]) {
  await lastValueFrom(producer.send$({ topic, body: body!, tags: tags! }, { shardingKey: 'filter' }));
}

const consumer = createPushConsumer({
  group: 'example-tag',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
const received: string[] = [];
await lastValueFrom(
  consumer.messages$(topic, 'TagA || TagC').pipe(
    tap((m) => {
      m.ack();
    }),
    takeWhile((m) => Buffer.from(m.body).toString('utf8') !== 'end'),
    tap((m) => received.push(`${Buffer.from(m.body).toString('utf8')}(${m.tags})`)),
  ),
  { defaultValue: undefined },
);
console.log(`TagA || TagC got: ${received.join(' ')}`);
await consumer.shutdown();
await producer.shutdown();
