// Async send: many sends in flight at once, results as they come. In your code: from 'rxrocket/client'.
import { mergeMap, range } from 'rxjs';
import { createProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const producer = createProducer({ group: 'example-async', namesrv });
let ok = 0;
range(0, 10)
  .pipe(mergeMap((i) => producer.send$({ topic: 'ExampleAsync', body: { n: i } }), 4))
  .subscribe({
    next: (result) => {
      ok += result.status === 'SEND_OK' ? 1 : 0;
    },
    error: (error: unknown) => {
      console.error(`send failed: ${String(error)}`);
      process.exitCode = 1;
      void producer.shutdown();
    },
    complete: () => {
      console.log(`${ok} of 10 sent`);
      void producer.shutdown();
    },
  });
