import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MQClientError } from '../../../src/errors.js';
import { FakeProducer } from '../../../src/testing/fake-producer.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

describe('FakeProducer', () => {
  it('answers each send with an id and a queue, and records it', async () => {
    const producer = new FakeProducer();
    const result = await lastValueFrom(producer.send$({ topic: 'T', body: 'x', tags: 'A' }));
    expect(result).toMatchObject({
      status: 'SEND_OK',
      msgId: 'FAKE-1',
      messageQueue: { topic: 'T', queueId: 0 },
    });
    expect(producer.sent).toEqual([
      {
        message: { topic: 'T', body: 'x', tags: 'A' },
        msgId: 'FAKE-1',
        queue: result.messageQueue,
        oneway: false,
      },
    ]);
  });

  it('sends nothing until subscribed, as the real producer', () => {
    const producer = new FakeProducer();
    const send$ = producer.send$({ topic: 'T', body: 'x' });
    expect(producer.sent).toEqual([]);
    send$.subscribe();
    send$.subscribe();
    expect(producer.sent.map((s) => s.msgId)).toEqual(['FAKE-1', 'FAKE-2']);
  });

  it('keeps a sharding key on one queue and spreads the rest round robin', async () => {
    const producer = new FakeProducer({ queueCount: 3 });
    const queueOf = async (shardingKey?: string) =>
      (
        await lastValueFrom(
          producer.send$({ topic: 'T', body: 'x' }, shardingKey === undefined ? {} : { shardingKey }),
        )
      ).messageQueue.queueId;
    expect([await queueOf(), await queueOf(), await queueOf(), await queueOf()]).toEqual([0, 1, 2, 0]);
    const keyed = await queueOf('order-7');
    expect([await queueOf('order-7'), await queueOf('order-7')]).toEqual([keyed, keyed]);
  });

  it('sends a batch to one queue with comma-joined ids', async () => {
    const producer = new FakeProducer();
    const result = await lastValueFrom(
      producer.sendBatch$([
        { topic: 'T', body: 'a' },
        { topic: 'T', body: 'b' },
      ]),
    );
    expect(result.msgId).toBe('FAKE-1,FAKE-2');
    expect(new Set(producer.sent.map((s) => s.queue.queueId)).size).toBe(1);
  });

  it('fails the sends failWith picks, recording nothing for them', async () => {
    const producer = new FakeProducer({
      failWith: (m) => (m.tags === 'bad' ? new Error('refused') : undefined),
    });
    await expect(lastValueFrom(producer.send$({ topic: 'T', body: 'x', tags: 'bad' }))).rejects.toThrow(
      'refused',
    );
    await lastValueFrom(producer.sendOneway$({ topic: 'T', body: 'y' }));
    expect(producer.sent.map((s) => [s.msgId, s.oneway])).toEqual([['FAKE-1', true]]);
  });

  it('answers after its latency in virtual time', () => {
    newScheduler().run(({ expectObservable }) => {
      const producer = new FakeProducer({ latencyMs: 5 });
      expectObservable(producer.send$({ topic: 'T', body: 'x' })).toBe('-----(r|)', {
        r: expect.objectContaining({ msgId: 'FAKE-1' }),
      });
    });
  });

  it('streams what it sends and refuses sends after shutdown', async () => {
    const producer = new FakeProducer();
    const sent = lastValueFrom(producer.sent$.pipe(toArray()));
    await lastValueFrom(producer.send$({ topic: 'T', body: 'x' }));
    await producer.shutdown();
    expect((await sent).map((s) => s.msgId)).toEqual(['FAKE-1']);
    await expect(lastValueFrom(producer.send$({ topic: 'T', body: 'x' }))).rejects.toBeInstanceOf(
      MQClientError,
    );
  });
});
