import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { MQBrokerError } from '../../../src/errors.js';
import { encodeSendMessageRequestHeaderV2 } from '../../../src/protocol/headers/send.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call, createTopic, storedMessages } from '../../fixtures/broker/broker-fixture.js';

/** Each test gets its own broker process and producer; both are gone when it ends. */
let broker: BrokerProcess | undefined;
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.shutdown();
  await broker?.dispose();
  producer = undefined;
  broker = undefined;
});

async function start(args: readonly string[] = []): Promise<{ broker: BrokerProcess; producer: Producer }> {
  broker = await startBrokerProcess({ args });
  producer = createProducer({ group: 'pg', namesrv: broker.namesrvAddress });
  return { broker, producer };
}

const send = (p: Producer, topic: string, body: string, options = {}) =>
  firstValueFrom(p.send$({ topic, body, tags: 'TagA', keys: [body] }, options));

const bodies = (queues: readonly { body: Uint8Array }[][]): string[] =>
  queues.flat().map((m) => Buffer.from(m.body).toString());

describe('broker process: sends', () => {
  it('stores a sync send (auto-creating its topic) and answers with where it landed', async () => {
    const { broker: b, producer: p } = await start();
    const result = await send(p, 'SyncTopic', 'first');
    expect(result.status).toBe('SEND_OK');
    expect(result.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
    expect(result.messageQueue.brokerName).toBe('broker-a');
    expect(result.queueOffset).toBe(0);
    const again = await send(p, 'SyncTopic', 'second', { queue: result.messageQueue });
    expect(again.queueOffset).toBe(1);
    expect(await b.stop()).toBe(0);
    const queues = await storedMessages(b.storeDir, 'SyncTopic', 4);
    const stored = queues[result.messageQueue.queueId]!;
    expect(bodies([stored])).toEqual(['first', 'second']);
    expect(stored[0]?.properties.get('UNIQ_KEY')).toBe(result.msgId);
    expect(stored[0]?.properties.get('CLUSTER')).toBe('DefaultCluster');
    expect(stored[0]?.properties.get('TAGS')).toBe('TagA');
  });

  it('takes 1000 sends in flight at once, each stored once', async () => {
    const { broker: b, producer: p } = await start();
    await send(p, 'Burst', 'warm-up');
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => send(p, 'Burst', `m${i}`)));
    expect(new Set(results.map((r) => r.offsetMsgId)).size).toBe(1000);
    await b.stop();
    const stored = bodies(await storedMessages(b.storeDir, 'Burst', 4));
    expect(stored).toHaveLength(1001);
    expect(new Set(stored).size).toBe(1001);
  });

  it('stores oneway sends and batches', async () => {
    const { broker: b, producer: p } = await start();
    await send(p, 'Mixed', 'sync');
    for (let i = 0; i < 50; i++) {
      await lastValueFrom(p.sendOneway$({ topic: 'Mixed', body: `oneway-${i}` }), {
        defaultValue: undefined,
      });
    }
    const batch = Array.from({ length: 10 }, (_, i) => ({
      topic: 'Mixed',
      body: `batch-${i}`,
      tags: `T${i}`,
    }));
    const result = await firstValueFrom(p.sendBatch$(batch));
    expect(result.msgId.split(',')).toHaveLength(10);
    expect(result.offsetMsgId.split(',')).toHaveLength(10);
    // A sync send after them answers only once the broker has taken everything sent before it.
    await send(p, 'Mixed', 'last');
    await b.stop();
    const queues = await storedMessages(b.storeDir, 'Mixed', 4);
    const stored = bodies(queues);
    expect(stored.filter((s) => s.startsWith('oneway-'))).toHaveLength(50);
    const batchQueue = queues[result.messageQueue.queueId]!;
    const inBatch = batchQueue.filter((m) => Buffer.from(m.body).toString().startsWith('batch-'));
    expect(inBatch.map((m) => Buffer.from(m.body).toString())).toEqual(batch.map((m) => m.body));
    expect(inBatch.map((m) => m.queueOffset)).toEqual(
      Array.from({ length: 10 }, (_, i) => result.queueOffset + i),
    );
    expect(inBatch.map((m) => m.properties.get('UNIQ_KEY'))).toEqual(result.msgId.split(','));
    expect(inBatch[3]?.properties.get('TAGS')).toBe('T3');
  });

  it('keeps the messages of one sharding key in one queue, in send order', async () => {
    const { broker: b, producer: p } = await start();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(p, 'Ordered', `step-${i}`, { shardingKey: 'order-42' })),
    );
    expect(new Set(results.map((r) => r.messageQueue.queueId)).size).toBe(1);
    const offsets = results.map((r) => r.queueOffset);
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    await b.stop();
    const queue = (await storedMessages(b.storeDir, 'Ordered', 4))[results[0]!.messageQueue.queueId]!;
    expect(bodies([queue])).toEqual(Array.from({ length: 200 }, (_, i) => `step-${i}`));
  });

  it('fails a send to a missing topic with TOPIC_NOT_EXIST when auto-creation is off', async () => {
    const { producer: p } = await start(['--no-auto-create-topic']);
    const error: unknown = await send(p, 'Missing', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MQBrokerError);
    expect((error as MQBrokerError).responseCode).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('refuses an oversized message with MESSAGE_ILLEGAL and stays up', async () => {
    const { broker: b, producer: p } = await start();
    const header = encodeSendMessageRequestHeaderV2({
      producerGroup: 'pg',
      topic: 'Big',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: 'UNIQ_KEY\u00017F0000010000000000000000000000AA',
    });
    const response = await call(b.brokerAddress, RequestCode.SEND_MESSAGE_V2, {
      extFields: header,
      body: Buffer.alloc(4 * 1024 * 1024 + 1),
    });
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(response.remark).toMatch(/msg body length limit 4194304B/);
    expect((await send(p, 'Big', 'small')).status).toBe('SEND_OK');
  });

  it('refuses through the producer a message over a lowered maxMessageSize', async () => {
    const { producer: p } = await start(['--set', 'maxMessageSize=65536']);
    const random = Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(Math.random() * 256)));
    const error: unknown = await firstValueFrom(p.send$({ topic: 'Limited', body: random })).catch(
      (e: unknown) => e,
    );
    expect((error as MQBrokerError).responseCode).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await send(p, 'Limited', 'fits')).status).toBe('SEND_OK');
  });

  it('keeps topics and messages across a clean restart on the same store', async () => {
    const { broker: b, producer: p } = await start(['--no-auto-create-topic']);
    await createTopic(b.brokerAddress, 'Kept', 2);
    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => send(p, 'Kept', `before-${i}`)));
    await p.shutdown();
    producer = undefined;
    await b.restart();
    const after = createProducer({ group: 'pg', namesrv: b.namesrvAddress });
    producer = after;
    const next = await send(after, 'Kept', 'after', { queue: before[0]!.messageQueue });
    const countInQueue = before.filter(
      (r) => r.messageQueue.queueId === before[0]!.messageQueue.queueId,
    ).length;
    expect(next.queueOffset).toBe(countInQueue);
    await b.stop();
    const stored = bodies(await storedMessages(b.storeDir, 'Kept', 2));
    expect(stored.sort()).toEqual([...before.map((_, i) => `before-${i}`), 'after'].sort());
  });
});
