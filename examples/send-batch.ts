// Batch send: one request, one queue, many messages of one topic. In your code: from 'rxrocket/client'.
import { lastValueFrom } from 'rxjs';
import { createProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const producer = createProducer({ group: 'example-batch', namesrv });
const messages = Array.from({ length: 5 }, (_, i) => ({
  topic: 'ExampleBatch',
  body: `item ${i}`,
  keys: `item-${i}`,
}));
const result = await lastValueFrom(producer.sendBatch$(messages));
console.log(
  `batch of ${result.msgId.split(',').length} sent to queue ${result.messageQueue.queueId}: ${result.status}`,
);
await producer.shutdown();
