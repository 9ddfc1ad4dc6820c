// Sync send: wait for each result before sending the next. In your code: from 'rxrocket/client'.
import { lastValueFrom } from 'rxjs';
import { createProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const producer = createProducer({ group: 'example-sync', namesrv });
for (let i = 0; i < 3; i++) {
  const result = await lastValueFrom(
    producer.send$({ topic: 'ExampleSync', body: `hello ${i}`, tags: 'TagA' }),
  );
  console.log(`sent ${result.msgId} to queue ${result.messageQueue.queueId}: ${result.status}`);
}
await producer.shutdown();
