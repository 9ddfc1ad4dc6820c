// Ordered send: one sharding key, one queue, so a consumer sees an order's steps in sequence.
// In your code: from 'rxrocket/client'.
import { lastValueFrom } from 'rxjs';
import { createProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const producer = createProducer({ group: 'example-ordered', namesrv });
const queuesByOrder = new Map<string, Set<number>>();
for (const step of ['created', 'paid', 'shipped']) {
  for (const orderId of ['order-1', 'order-2', 'order-3']) {
    const result = await lastValueFrom(
      producer.send$(
        { topic: 'ExampleOrdered', body: { orderId, step }, keys: orderId },
        { shardingKey: orderId },
      ),
    );
    const queues = queuesByOrder.get(orderId) ?? new Set<number>();
    queues.add(result.messageQueue.queueId);
    queuesByOrder.set(orderId, queues);
  }
}
for (const [orderId, queues] of queuesByOrder)
  console.log(`${orderId}: 3 steps on queue ${[...queues].join(',')}`);
await producer.shutdown();
