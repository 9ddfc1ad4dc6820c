// SQL92 filter: the broker evaluates a condition on each message's properties (it must run with
// enablePropertyFilter=true). In your code: from 'rxrocket/client'.
import { lastValueFrom, takeWhile, tap } from 'rxjs';
import { bySql, createProducer, createPushConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleSqlFilter';
const producer = createProducer({ group: 'example-sql-producer', namesrv });
// One sharding key: one queue, so the last message also comes last.
for (const [body, amount, region] of [
  ['small', '5', 'eu'],
  ['large-eu', '500', 'eu'],
  ['large-us', '700', 'us'],
  ['end', '1000', 'eu'],
]) {
  const properties = { amount: amount!, region: region! };
  await lastValueFrom(producer.send$({ topic, body: body!, properties }, { shardingKey: 'filter' }));
}

const consumer = createPushConsumer({
  group: 'example-sql',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
const received: string[] = [];
await lastValueFrom(
  consumer.messages$(topic, bySql("amount > 100 AND region = 'eu'")).pipe(
    tap((m) => {
      m.ack();
    }),
    takeWhile((m) => Buffer.from(m.body).toString('utf8') !== 'end'),
    tap((m) => received.push(Buffer.from(m.body).toString('utf8'))),
  ),
  { defaultValue: undefined },
);
console.log(`amount > 100 AND region = 'eu' got: ${received.join(' ')}`);
await consumer.shutdown();
await producer.shutdown();
