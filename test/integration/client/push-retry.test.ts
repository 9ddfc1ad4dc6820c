import { throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createPushConsumer } from '../../../src/client/push-consumer.js';
import {
  decodeGetMaxOffsetResponseHeader,
  encodeGetMaxOffsetRequestHeader,
} from '../../../src/protocol/headers/queue-offset.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess } from '../../../src/testing/broker-process.js';
import { call, storedMessages } from '../../fixtures/broker/broker-fixture.js';
import { bodyOf, sendNumbered, waitFor } from '../../fixtures/client/push-fixture.js';
import { usePushHarness } from '../../fixtures/client/push-harness.js';

const TOPIC = 'Retried';
/** Short levels, so the test passes whether the broker delays redeliveries or not. */
const DELAY_LEVELS = Array.from({ length: 18 }, () => '1s').join(' ');

const harness = usePushHarness();
const { consumers, subscriptions } = harness;

const start = (): Promise<BrokerProcess> =>
  harness.start({
    topic: TOPIC,
    queues: 2,
    producerGroup: 'pg-retried',
    args: ['--set', `messageDelayLevel=${DELAY_LEVELS}`],
  });

/** Consumes with `handler`, recording the reconsume times each body was delivered with. */
function consume(
  b: BrokerProcess,
  group: string,
  maxReconsumeTimes: number,
  fails: (body: string, reconsumeTimes: number) => boolean,
): Map<string, number[]> {
  const deliveries = new Map<string, number[]>();
  const consumer = createPushConsumer({
    group,
    namesrv: b.namesrvAddress,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    maxReconsumeTimes,
  });
  consumers.push(consumer);
  subscriptions.push(
    consumer
      .consume$(TOPIC, '*', (m) => {
        // a redelivery from %RETRY%group carries the topic it was sent to
        const body = m.topic === TOPIC ? bodyOf(m) : `${m.topic}:${bodyOf(m)}`;
        deliveries.set(body, [...(deliveries.get(body) ?? []), m.reconsumeTimes]);
        return fails(body, m.reconsumeTimes)
          ? throwError(() => new Error(`fail ${body}`))
          : Promise.resolve();
      })
      .subscribe(),
  );
  return deliveries;
}

async function maxOffset(b: BrokerProcess, topic: string): Promise<number> {
  const response = await call(b.brokerAddress, RequestCode.GET_MAX_OFFSET, {
    extFields: encodeGetMaxOffsetRequestHeader({ topic, queueId: 0 }),
  });
  return response.code === ResponseCode.SUCCESS
    ? decodeGetMaxOffsetResponseHeader(response.extFields).offset
    : 0;
}

describe('push consumer: retries', () => {
  it('a handler failing a message 3 times then succeeding sees reconsumeTimes 0, 1, 2, 3', async () => {
    const b = await start();
    const deliveries = consume(b, 'cg-flaky', 16, (body, times) => body === 'flaky0' && times < 3);
    const others = await sendNumbered(harness.producer, TOPIC, 10, 'other');
    await sendNumbered(harness.producer, TOPIC, 1, 'flaky');
    await waitFor('the fourth delivery of the flaky message', () => deliveries.get('flaky0')?.length === 4);
    expect(deliveries.get('flaky0')).toEqual([0, 1, 2, 3]);
    for (const body of others) expect(deliveries.get(body)).toEqual([0]);
    expect(deliveries.size).toBe(others.length + 1);
  });

  it('a message that always fails ends in %DLQ%group after maxReconsumeTimes deliveries', async () => {
    const b = await start();
    const group = 'cg-poisoned';
    const deliveries = consume(b, group, 2, (body) => body === 'poison0');
    await sendNumbered(harness.producer, TOPIC, 1, 'poison');
    const fine = await sendNumbered(harness.producer, TOPIC, 5, 'fine');
    const dlq = `%DLQ%${group}`;
    await waitFor('the poison message in the DLQ', async () => (await maxOffset(b, dlq)) > 0, 60_000);
    expect(deliveries.get('poison0')).toEqual([0, 1, 2]);
    for (const body of fine) expect(deliveries.get(body)).toEqual([0]);
    expect(deliveries.size).toBe(fine.length + 1);

    for (const s of subscriptions.splice(0)) s.unsubscribe();
    await Promise.all(consumers.splice(0).map((c) => c.shutdown()));
    await b.stop();
    const [stored] = await storedMessages(b.storeDir, dlq, 1);
    expect(stored?.map((m) => Buffer.from(m.body).toString())).toEqual(['poison0']);
  });
});
