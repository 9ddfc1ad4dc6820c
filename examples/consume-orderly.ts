// Orderly consume: an order's steps go to one queue (ordered send) and consumeInOrder handles each queue one
// message at a time, so every order is seen created -> paid -> shipped. In your code: from 'rxrocket/client'
// and 'rxrocket/operators'.
import { lastValueFrom, take, timer } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { consumeInOrder, decodeBody } from '../src/operators/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleOrderly';
const orders = ['order-1', 'order-2', 'order-3'];
const producer = createProducer({ group: 'example-orderly-producer', namesrv });
for (const step of ['created', 'paid', 'shipped']) {
  for (const orderId of orders) {
    await lastValueFrom(producer.send$({ topic, body: { orderId, step } }, { shardingKey: orderId }));
  }
}

const consumer = createPushConsumer({
  group: 'example-orderly',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
const seen = new Map<string, string[]>();
await lastValueFrom(
  consumer.messages$(topic).pipe(
    decodeBody<{ orderId: string; step: string }>(),
    consumeInOrder((m) => {
      seen.set(m.value.orderId, [...(seen.get(m.value.orderId) ?? []), m.value.step]);
      return timer(5); // the work; the next step of this order waits for it
    }),
    take(orders.length * 3),
  ),
);
for (const orderId of orders) console.log(`${orderId}: ${seen.get(orderId)?.join(' -> ')}`);
await consumer.shutdown();
await producer.shutdown();
