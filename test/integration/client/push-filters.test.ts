import { firstValueFrom, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Message, SendResult } from '../../../src/client/message.js';
import { createPushConsumer } from '../../../src/client/push-consumer.js';
import { type MessageSelector, bySql } from '../../../src/client/subscription.js';
import { Sql92SyntaxError } from '../../../src/protocol/filter/sql92.js';
import {
  decodeConsumerConnection,
  encodeGetConsumerConnectionListRequestHeader,
} from '../../../src/protocol/headers/admin-stats.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess } from '../../../src/testing/broker-process.js';
import { call } from '../../fixtures/broker/broker-fixture.js';
import { bodyOf, waitFor } from '../../fixtures/client/push-fixture.js';
import { usePushHarness } from '../../fixtures/client/push-harness.js';

const TOPIC = 'Filtered';

const harness = usePushHarness();
const { consumers, subscriptions } = harness;

const start = (): Promise<BrokerProcess> =>
  harness.start({
    topic: TOPIC,
    queues: 2,
    producerGroup: 'pg-filtered',
    args: ['--set', 'enablePropertyFilter=true'],
  });

/**
 * Subscribes, sends, and collects until the consumer has pulled past every message sent: each queue is read
 * in order, so by then anything the filter let through has been delivered.
 */
async function deliveredOf(
  b: BrokerProcess,
  group: string,
  selector: string | MessageSelector,
  messages: readonly Omit<Message, 'topic'>[],
): Promise<string[]> {
  const consumer = createPushConsumer({
    group,
    namesrv: b.namesrvAddress,
    instanceName: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  consumers.push(consumer);
  const seen: string[] = [];
  const pulledTo = new Map<number, number>();
  subscriptions.push(
    consumer.events$.subscribe((e) => {
      if (e.type === 'pulled' && e.queue.topic === TOPIC)
        pulledTo.set(e.queue.queueId, Math.max(pulledTo.get(e.queue.queueId) ?? 0, e.nextOffset));
    }),
    consumer.messages$(TOPIC, selector).subscribe((m) => {
      seen.push(bodyOf(m));
      m.ack();
    }),
  );
  const results: SendResult[] = [];
  for (const m of messages)
    results.push(await firstValueFrom(harness.producer.send$({ ...m, topic: TOPIC })));
  const ends = new Map<number, number>();
  for (const r of results)
    ends.set(r.messageQueue.queueId, Math.max(ends.get(r.messageQueue.queueId) ?? 0, r.queueOffset + 1));
  await waitFor('the consumer to pull past every message sent', () =>
    [...ends].every(([queueId, end]) => (pulledTo.get(queueId) ?? 0) >= end),
  );
  return seen;
}

describe('push consumer: filters', () => {
  it('a tag expression delivers exactly the matching tags, hash collisions re-checked by the client', async () => {
    const b = await start();
    // "Aa" and "BB" share a Java hashCode, so the broker, which compares hashes, lets "BB" through
    const tags = ['TagA', 'TagB', 'Aa', 'BB', undefined, 'TagA', 'BB', 'Aa', 'TagC'];
    const messages = tags.map((tag, i) => ({ body: `${tag ?? 'none'}-${i}`, ...(tag ? { tags: tag } : {}) }));
    const seen = await deliveredOf(b, 'cg-tags', 'TagA || Aa', messages);
    expect(seen.sort()).toEqual(['Aa-2', 'Aa-7', 'TagA-0', 'TagA-5']);
  });

  it('an SQL92 condition delivers exactly the messages whose properties match', async () => {
    const b = await start();
    const messages = Array.from({ length: 20 }, (_, i) => ({
      body: `n${i}`,
      properties: { a: String(i), color: i % 3 === 0 ? 'red' : 'blue' },
    }));
    const seen = await deliveredOf(b, 'cg-sql', bySql("a > 5 AND color = 'red'"), [
      ...messages,
      { body: 'no-properties' },
    ]);
    expect(seen.sort()).toEqual(['n12', 'n15', 'n18', 'n6', 'n9']);
  });

  it('a bad SQL92 condition fails the subscription with the parser’s message', async () => {
    const b = await start();
    const consumer = createPushConsumer({ group: 'cg-bad-sql', namesrv: b.namesrvAddress });
    consumers.push(consumer);
    const failed = lastValueFrom(consumer.messages$(TOPIC, bySql('a > AND'))).catch((e: unknown) => e);
    await expect(failed).resolves.toBeInstanceOf(Sql92SyntaxError);
  });

  it('the heartbeat tells the broker the subscriptions: the SQL92 one and the group’s retry topic', async () => {
    const b = await start();
    const group = 'cg-heartbeat';
    const consumer = createPushConsumer({ group, namesrv: b.namesrvAddress });
    consumers.push(consumer);
    subscriptions.push(consumer.messages$(TOPIC, bySql('a IS NOT NULL')).subscribe((m) => m.ack()));
    const connection = async () => {
      const response = await call(b.brokerAddress, RequestCode.GET_CONSUMER_CONNECTION_LIST, {
        extFields: encodeGetConsumerConnectionListRequestHeader({ consumerGroup: group }),
      });
      return response.code === ResponseCode.SUCCESS ? decodeConsumerConnection(response.body) : undefined;
    };
    await waitFor('the group online', async () => (await connection()) !== undefined);
    const online = await connection();
    expect(online?.connectionSet.map((c) => c.clientId)).toEqual([consumer.clientId]);
    expect(online?.messageModel).toBe('CLUSTERING');
    expect(online?.subscriptionTable[TOPIC]).toMatchObject({
      subString: 'a IS NOT NULL',
      expressionType: 'SQL92',
    });
    expect(online?.subscriptionTable[`%RETRY%${group}`]).toMatchObject({
      subString: '*',
      expressionType: 'TAG',
    });
  });
});
