// Orderly push consumer (MessageListenerOrderly): consume$ with { orderly: true } holds each queue's broker
// lock, hands a queue's messages to the handler one batch at a time in queue order, and retries a failed one
// in place after suspending its queue (1 s by default), so every order is seen created -> paid -> shipped
// even though the first try of one step fails. In your code: from 'rxrocket/client'.
import { lastValueFrom, take, throwError, timer } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleOrderlyConsume';
const orders = ['order-1', 'order-2', 'order-3'];
const producer = createProducer({ group: 'example-orderly-consume-producer', namesrv });
for (const step of ['created', 'paid', 'shipped']) {
  for (const orderId of orders) {
    const body = JSON.stringify({ orderId, step });
    await lastValueFrom(producer.send$({ topic, body }, { shardingKey: orderId }));
  }
}

const consumer = createPushConsumer({
  group: 'example-orderly-consume',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  suspendCurrentQueueTimeMillis: 200,
});
const seen = new Map<string, string[]>();
let retried = 0;
await lastValueFrom(
  consumer
    .consume$(
      topic,
      '*',
      (message) => {
        const { orderId, step } = JSON.parse(Buffer.from(message.body).toString('utf8')) as {
          orderId: string;
          step: string;
        };
        // the payment service is down the first time order-2 is paid: its queue waits, the others go on
        if (orderId === 'order-2' && step === 'paid' && message.reconsumeTimes === 0) {
          retried++;
          return throwError(() => new Error('payment service unavailable'));
        }
        seen.set(orderId, [...(seen.get(orderId) ?? []), step]);
        return timer(5); // the work; the next step of this order waits for it
      },
      { orderly: true, concurrency: 4 },
    )
    // one result per handler run: 9 steps, and the failed first try
    .pipe(take(orders.length * 3 + 1)),
);
for (const orderId of orders) console.log(`${orderId}: ${seen.get(orderId)?.join(' -> ')}`);
console.log(`locally retried: ${retried}`);
await consumer.shutdown();
await producer.shutdown();
