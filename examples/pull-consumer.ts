// Pull consumer: the application asks for messages, here with for await. In your code: from 'rxrocket/client'.
import { lastValueFrom } from 'rxjs';
import { createProducer, createPullConsumer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExamplePull';
const producer = createProducer({ group: 'example-pull-producer', namesrv });
for (let i = 0; i < 5; i++) await lastValueFrom(producer.send$({ topic, body: `report ${i}` }));

const consumer = createPullConsumer({
  group: 'example-pull',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
await consumer.subscribe(topic);
const bodies: string[] = [];
for await (const message of consumer) {
  bodies.push(Buffer.from(message.body).toString('utf8'));
  if (bodies.length === 5) break; // leaving the loop stops pulling
}
console.log(`pulled: ${bodies.sort().join(', ')}`);
await consumer.close();
await producer.shutdown();
