// Delayed delivery: by RocketMQ delay level (1 = 1 s with the default messageDelayLevel) or at a given time
// (deliverAt). Neither reaches a consumer before its time. In your code: from 'rxrocket/client'.
import { lastValueFrom, take, tap } from 'rxjs';
import { createProducer, createPushConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleDelay';
const producer = createProducer({ group: 'example-delay-producer', namesrv });
const sentAt = Date.now();
const dueAfterMs = new Map([
  ['level 1', 1000],
  ['deliverAt +2 s', 2000],
]);
await lastValueFrom(producer.send$({ topic, body: 'level 1', delayLevel: 1 }));
await lastValueFrom(producer.send$({ topic, body: 'deliverAt +2 s', deliverAt: sentAt + 2000 }));

const consumer = createPushConsumer({
  group: 'example-delay',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
await lastValueFrom(
  consumer.messages$(topic).pipe(
    tap((m) => {
      const body = Buffer.from(m.body).toString('utf8');
      const onTime = Date.now() - sentAt >= (dueAfterMs.get(body) ?? 0);
      console.log(`${body}: ${onTime ? 'delivered, not before its time' : 'delivered too early'}`);
      m.ack();
    }),
    take(2),
  ),
);
await consumer.shutdown();
await producer.shutdown();
