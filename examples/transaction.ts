// Transactional send: the message is stored half-done, the local transaction decides, and consumers get only
// what was committed. In your code: from 'rxrocket/client'.
import { lastValueFrom, take, tap } from 'rxjs';
import { createPushConsumer, createTransactionProducer } from '../src/client/index.js';
import { namesrv } from './namesrv.js';

const topic = 'ExampleTransaction';
const producer = createTransactionProducer({
  group: 'example-tx',
  namesrv,
  // The broker asks this about a transaction whose outcome it never heard; here every local one answers.
  checkTransaction: () => 'ROLLBACK',
});
const saved = await lastValueFrom(
  producer.sendInTransaction$({ topic, body: 'order 1 saved' }, () => 'COMMIT'),
);
const failed = await lastValueFrom(
  producer.sendInTransaction$({ topic, body: 'order 2 failed' }, () => 'ROLLBACK'),
);
console.log(`order 1: ${saved.localTransactionState}, order 2: ${failed.localTransactionState}`);

const consumer = createPushConsumer({
  group: 'example-tx-consumer',
  namesrv,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
});
await lastValueFrom(
  consumer.messages$(topic).pipe(
    tap((m) => {
      console.log(`consumed: ${Buffer.from(m.body).toString('utf8')}`);
      m.ack();
    }),
    take(1),
  ),
);
await consumer.shutdown();
await producer.shutdown();
