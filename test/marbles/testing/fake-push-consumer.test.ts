import { lastValueFrom, of, take, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FakeProducer } from '../../../src/testing/fake-producer.js';
import { FakePushConsumer } from '../../../src/testing/fake-push-consumer.js';
import { acked, retried } from '../../../src/testing/message-factory.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

describe('FakePushConsumer', () => {
  it('delivers what a connected producer sends, with its ids and queues', async () => {
    const producer = new FakeProducer();
    const consumer = new FakePushConsumer();
    consumer.connect(producer);
    const received = lastValueFrom(consumer.messages$('T').pipe(take(2), toArray()));
    await lastValueFrom(producer.send$({ topic: 'T', body: 'one', keys: 'k1' }));
    await lastValueFrom(producer.send$({ topic: 'Other', body: 'no' }));
    await lastValueFrom(producer.send$({ topic: 'T', body: { n: 2 } }));
    const messages = await received;
    expect(messages.map((m) => [m.msgId, m.queue.queueId, m.keys])).toEqual([
      ['FAKE-1', 0, ['k1']],
      ['FAKE-3', 1, []],
    ]);
  });

  it('keeps what was published before anyone subscribed, and filters by tag', async () => {
    const consumer = new FakePushConsumer();
    consumer.publish({ topic: 'T', body: 'a', tags: 'A' });
    consumer.publish({ topic: 'T', body: 'b', tags: 'B' });
    consumer.publish({ topic: 'T', body: 'c', tags: 'C' });
    const messages = await lastValueFrom(consumer.messages$('T', 'A || C').pipe(take(2), toArray()));
    expect(messages.map((m) => m.tags)).toEqual(['A', 'C']);
  });

  it('filters by an SQL92 selector over properties and tags', async () => {
    const consumer = new FakePushConsumer();
    consumer.publish({ topic: 'T', body: 'a', tags: 'A', properties: { amount: '5' } });
    consumer.publish({ topic: 'T', body: 'b', tags: 'A', properties: { amount: '50' } });
    consumer.publish({ topic: 'T', body: 'c', tags: 'B', properties: { amount: '70' } });
    const selector = { type: 'SQL92', expression: "amount > 10 AND TAGS = 'A'" } as const;
    const messages = await lastValueFrom(consumer.messages$('T', selector).pipe(take(1), toArray()));
    expect(messages.map((m) => m.msgId)).toEqual(['MSG-2']);
  });

  it('refuses an SQL92 selector that does not parse', async () => {
    const consumer = new FakePushConsumer();
    await expect(
      lastValueFrom(consumer.messages$('T', { type: 'SQL92', expression: 'a >' })),
    ).rejects.toThrow();
  });

  it('redelivers a retried message later with reconsumeTimes one higher, in virtual time', () => {
    newScheduler().run(({ expectObservable }) => {
      const consumer = new FakePushConsumer({ redeliverAfterMs: 3 });
      consumer.publish({ topic: 'T', body: 'x' }, 'm');
      const seen: number[] = [];
      const result$ = consumer.consume$('T', '*', (m) => {
        seen.push(m.reconsumeTimes);
        return m.reconsumeTimes < 2 ? throwError(() => new Error('not yet')) : of(true);
      });
      expectObservable(result$, '^--------!').toBe('r--r--s--', {
        r: expect.objectContaining({ status: 'RECONSUME_LATER' }),
        s: expect.objectContaining({ status: 'CONSUME_SUCCESS' }),
      });
      expectObservable(consumer.factory.settlements$).toBe('r--r--a', { r: retried('m'), a: acked('m') });
    });
  });

  it('moves a message to deadLetters once its retries run out', () => {
    const consumer = new FakePushConsumer({ maxReconsumeTimes: 2, redeliverAfterMs: 1 });
    newScheduler().run(({ expectObservable }) => {
      consumer.publish({ topic: 'T', body: 'x' }, 'm');
      consumer.consume$('T', '*', () => throwError(() => new Error('always'))).subscribe();
      expectObservable(consumer.factory.settlements$).toBe('rrr', { r: retried('m') });
    });
    expect(consumer.deadLetters.map((m) => [m.msgId, m.reconsumeTimes])).toEqual([['m', 2]]);
  });

  it('refuses a second subscription to one topic, and takes one again after unsubscribe', async () => {
    const consumer = new FakePushConsumer();
    const first = consumer.messages$('T').subscribe();
    await expect(lastValueFrom(consumer.messages$('T'))).rejects.toThrow('already subscribed');
    first.unsubscribe();
    consumer.publish({ topic: 'T', body: 'later' }, 'later');
    const [message] = await lastValueFrom(consumer.messages$('T').pipe(take(1), toArray()));
    expect(message?.msgId).toBe('later');
  });

  it('completes its streams on shutdown', async () => {
    const consumer = new FakePushConsumer();
    const all = lastValueFrom(consumer.messages$('T').pipe(toArray()));
    consumer.publish({ topic: 'T', body: 'x' }, 'x');
    await consumer.shutdown();
    expect((await all).map((m) => m.msgId)).toEqual(['x']);
  });
});
