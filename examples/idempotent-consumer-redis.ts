// An idempotent consumer: a Redis store shared by every member of the group lets each order through once,
// however often it is delivered. In your code: from 'rxrocket/client' and 'rxrocket/operators'.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { lastValueFrom, of, takeWhile } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { RedisIdempotencyStore, ackOnSuccess, decodeBody, idempotent } from '../src/operators/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleOrders';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
// A key prefix per run, so that running the example again handles its orders again.
const store = new RedisIdempotencyStore({ redis, prefix: `example-orders:${randomUUID()}:` });

// order-1 twice, as a producer that retried after a lost answer would send it; one sharding key keeps order.
const producer = createProducer({ group: 'example-orders-producer', namesrv });
for (const order of ['order-1', 'order-2', 'order-1', 'end']) {
  await lastValueFrom(producer.send$({ topic, body: { order }, keys: order }, { shardingKey: 'orders' }));
}

const consumer = createPushConsumer({
  group: 'example-orders',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
await lastValueFrom(
  consumer.messages$(topic).pipe(
    // The business key, not the msgId: the second send of order-1 got a msgId of its own.
    idempotent({ store, key: (m) => m.keys[0] ?? m.msgId }),
    decodeBody<{ order: string }>(),
    ackOnSuccess((m) => {
      if (m.value.order !== 'end') console.log(`handled ${m.value.order}`);
      return of(true);
    }),
    takeWhile((settled) => settled.message.value.order !== 'end'),
  ),
  { defaultValue: undefined },
);
await consumer.shutdown();
await producer.shutdown();
await redis.quit();
