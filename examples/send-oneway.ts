// One-way send: written to the socket, no result, no retry (logs, metrics). In your code: from 'rxrocket/client'.
import { lastValueFrom } from 'rxjs';
import { createProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const producer = createProducer({ group: 'example-oneway', namesrv });
for (let i = 0; i < 3; i++) {
  await lastValueFrom(producer.sendOneway$({ topic: 'ExampleOneway', body: `log line ${i}` }), {
    defaultValue: undefined,
  });
}
console.log('3 sent one-way');
await producer.shutdown();
