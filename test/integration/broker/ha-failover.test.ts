import { type Subscription, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NameServer, startNameServer } from '../../../src/broker/namesrv/namesrv.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { type PushConsumer, createPushConsumer } from '../../../src/client/push-consumer.js';
import { silentLogger } from '../../../src/logger.js';
import { parseTopicConfigSerializeWrapper } from '../../../src/protocol/headers/register-broker-body.js';
import { parseJsonObject } from '../../../src/protocol/json-body.js';
import {
  decodeQueryConsumerOffsetResponseHeader,
  encodeQueryConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/consumer-offset.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import type { BrokerProcess } from '../../../src/testing/broker-process.js';
import { call, routeOf } from '../../fixtures/broker/broker-fixture.js';
import { startMaster, startSlave } from '../../fixtures/broker/ha-fixture.js';
import {
  bodyOf,
  createRoutedTopic,
  sendNumbered,
  tally,
  waitFor,
} from '../../fixtures/client/push-fixture.js';

const TOPIC = 'HaFailover';
const QUEUES = 4;
const GROUP = 'ha-failover-cg';
/** Each queue's in-flight window: what may be delivered again when a broker changes under a consumer. */
const WINDOW_PER_QUEUE = 32;

let nameServer: NameServer | undefined;
const brokers: BrokerProcess[] = [];
let producer: Producer | undefined;
let consumer: PushConsumer | undefined;
let subscription: Subscription | undefined;

afterEach(async () => {
  subscription?.unsubscribe();
  await consumer?.shutdown();
  await producer?.shutdown();
  for (const broker of brokers.splice(0)) await broker.dispose();
  await nameServer?.close();
  subscription = undefined;
  consumer = undefined;
  producer = undefined;
  nameServer = undefined;
});

const slaveKnowsTopic = async (slave: BrokerProcess): Promise<boolean> => {
  const response = await call(slave.brokerAddress, RequestCode.GET_ALL_TOPIC_CONFIG);
  return TOPIC in parseTopicConfigSerializeWrapper(parseJsonObject(response.body, 'topics')).topicConfigTable;
};

/** The group's committed offsets on the slave, summed over the queues (-1 when a queue has none). */
const committedOnSlave = async (slave: BrokerProcess): Promise<number> => {
  let sum = 0;
  for (let queueId = 0; queueId < QUEUES; queueId++) {
    const response = await call(slave.brokerAddress, RequestCode.QUERY_CONSUMER_OFFSET, {
      extFields: encodeQueryConsumerOffsetRequestHeader({ consumerGroup: GROUP, topic: TOPIC, queueId }),
    });
    if (response.code !== ResponseCode.SUCCESS) return -1;
    sum += decodeQueryConsumerOffsetResponseHeader(response.extFields).offset;
  }
  return sum;
};

describe('HA: consuming through a master failure', () => {
  it('goes on from the slave while the master is down, and back to the master with no redelivery beyond the handover window', async () => {
    nameServer = await startNameServer({ port: 0, logger: silentLogger });
    const namesrv = nameServer.address;
    const master = await startMaster('SYNC_MASTER', [], { namesrv });
    brokers.push(master);
    const slave = await startSlave(master, [], { namesrv });
    brokers.push(slave);
    await createRoutedTopic(master.brokerAddress, namesrv, TOPIC, QUEUES);
    // The slave copies its master's topics 3 s after it starts, then every 10 s.
    await waitFor('the slave to copy the topic', () => slaveKnowsTopic(slave), 30_000);

    producer = createProducer({ group: 'ha-failover-pg', namesrv, pollNameServerIntervalMs: 500 });
    const first = await sendNumbered(producer, TOPIC, 2000, 'a');
    const seen: string[] = [];
    consumer = createPushConsumer({
      group: GROUP,
      namesrv,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pollNameServerIntervalMs: 500,
      rebalanceIntervalMs: 600_000,
      pullBatchSize: 8,
      pullThresholds: { maxMessages: WINDOW_PER_QUEUE },
    });
    subscription = consumer.messages$(TOPIC, '*').subscribe((m) => {
      seen.push(bodyOf(m));
      // Slow enough that the master dies with most of the topic still unread.
      setTimeout(() => {
        m.ack();
      }, 2);
    });
    await waitFor('the first deliveries', () => seen.length >= 300, 30_000);
    await master.kill();
    const atKill = seen.length;
    const distinctFirst = (): number => first.filter((b) => tally(seen).distinct.has(b)).length;
    await waitFor('the rest from the slave', () => distinctFirst() === first.length, 60_000);
    const fromSlave = seen.length - atKill;
    // Only the consumer can have put them there: the master died long before the group got this far.
    await waitFor(
      'the group to commit its offsets to the slave',
      async () => (await committedOnSlave(slave)) === first.length,
      20_000,
    );

    await master.restart();
    await waitFor(
      'the master back in the route',
      async () => (await routeOf(namesrv, TOPIC))?.brokerDatas[0]?.brokerAddrs['0'] === master.brokerAddress,
      30_000,
    );
    const p = producer;
    // The producer's own route refresh may lag the name server's by one poll.
    await waitFor(
      'the producer to route to the master again',
      () =>
        firstValueFrom(p.send$({ topic: TOPIC, body: 'probe' })).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    const second = ['probe', ...(await sendNumbered(producer, TOPIC, 500, 'b'))];
    await waitFor(
      'the messages sent after the return',
      () => second.every((b) => tally(seen).distinct.has(b)),
      60_000,
    );

    const { distinct, duplicates } = tally(seen);
    console.log(
      `HA failover: ${seen.length} deliveries of ${distinct.size} messages; ${atKill} before the kill, ` +
        `${fromSlave} from the slave, ${duplicates} duplicates (window ${QUEUES * WINDOW_PER_QUEUE})`,
    );
    expect(distinct.size).toBe(first.length + second.length);
    expect(duplicates).toBeLessThanOrEqual(QUEUES * WINDOW_PER_QUEUE);
  }, 240_000);
});
