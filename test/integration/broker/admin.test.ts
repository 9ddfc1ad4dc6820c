import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { encodeHeartbeatData } from '../../../src/protocol/headers/client.js';
import { parseTopicConfigSerializeWrapper } from '../../../src/protocol/headers/register-broker-body.js';
import { encodeDeleteTopicRequestHeader } from '../../../src/protocol/headers/topic-admin.js';
import { parseJsonObject } from '../../../src/protocol/json-body.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call, createTopic, routeOf } from '../../fixtures/broker/broker-fixture.js';

let broker: BrokerProcess;
let producer: Producer;
beforeAll(async () => {
  broker = await startBrokerProcess();
  producer = createProducer({ group: 'admin-pg', namesrv: broker.namesrvAddress });
});
afterAll(async () => {
  await producer.shutdown();
  await broker.dispose();
});

const allTopics = async () => {
  const response = await call(broker.brokerAddress, RequestCode.GET_ALL_TOPIC_CONFIG);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  return parseTopicConfigSerializeWrapper(parseJsonObject(response.body, 'wrapper'));
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The store builds queue files asynchronously, a moment after a send is answered. */
async function eventuallyExists(path: string): Promise<boolean> {
  for (let i = 0; i < 200 && !(await exists(path)); i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return exists(path);
}

describe('broker process: administration', () => {
  it('creates a topic and answers once the name server routes it', async () => {
    await createTopic(broker.brokerAddress, 'Admin', 3);
    const route = await routeOf(broker.namesrvAddress, 'Admin');
    expect(route?.queueDatas).toEqual([
      expect.objectContaining({ brokerName: 'broker-a', readQueueNums: 3, writeQueueNums: 3, perm: 6 }),
    ]);
    const wrapper = await allTopics();
    expect(wrapper.topicConfigTable.Admin).toMatchObject({ writeQueueNums: 3, readQueueNums: 3 });
    expect(wrapper.topicConfigTable.TBW102?.perm).toBe(7);
    expect(wrapper.dataVersion.counter).toBeGreaterThan(0);
  });

  it('refuses names RocketMQ refuses and the system topics', async () => {
    await expect(createTopic(broker.brokerAddress, 'bad topic', 1)).rejects.toThrow(/illegal characters/);
    await expect(createTopic(broker.brokerAddress, 'DefaultCluster', 1)).rejects.toThrow(/reserved/);
    await expect(createTopic(broker.brokerAddress, 'SCHEDULE_TOPIC_XXXX', 1)).rejects.toThrow(/system topic/);
  });

  it('deletes a topic with its queues, so a new one of that name starts from offset 0', async () => {
    const first = await firstValueFrom(producer.send$({ topic: 'Doomed', body: 'a' }));
    await firstValueFrom(producer.send$({ topic: 'Doomed', body: 'b' }, { queue: first.messageQueue }));
    const queueDir = join(broker.storeDir, 'consumequeue', 'Doomed');
    expect(await eventuallyExists(queueDir)).toBe(true);
    const response = await call(broker.brokerAddress, RequestCode.DELETE_TOPIC_IN_BROKER, {
      extFields: encodeDeleteTopicRequestHeader({ topic: 'Doomed' }),
    });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect((await allTopics()).topicConfigTable.Doomed).toBeUndefined();
    expect(await exists(queueDir)).toBe(false);
    await createTopic(broker.brokerAddress, 'Doomed', 4);
    const again = await firstValueFrom(
      producer.send$({ topic: 'Doomed', body: 'c' }, { queue: first.messageQueue }),
    );
    expect(again.queueOffset).toBe(0);
  });

  it('answers what clients and admin tools ask at startup', async () => {
    const heartbeat = await call(broker.brokerAddress, RequestCode.HEART_BEAT, {
      body: encodeHeartbeatData({
        clientID: '127.0.0.1@1',
        producerDataSet: [{ groupName: 'pg' }],
        consumerDataSet: [],
      }),
    });
    expect(heartbeat.code).toBe(ResponseCode.SUCCESS);
    const check = await call(broker.brokerAddress, RequestCode.CHECK_CLIENT_CONFIG, {
      extFields: { consumerGroup: 'cg', clientId: '127.0.0.1@1' },
    });
    expect(check.code).toBe(ResponseCode.SUCCESS);
    const config = await call(broker.brokerAddress, RequestCode.GET_BROKER_CONFIG);
    expect(config.code).toBe(ResponseCode.SUCCESS);
    const text = Buffer.from(config.body!).toString();
    expect(text).toMatch(/^brokerName=broker-a$/m);
    expect(text).toContain(`listenPort=${broker.brokerAddress.split(':')[1]}\n`);
    expect(config.extFields?.version).toMatch(/"counter":0/);
    const runtime = await call(broker.brokerAddress, RequestCode.GET_BROKER_RUNTIME_INFO);
    expect(runtime.code).toBe(ResponseCode.SUCCESS);
    const unknown = await call(broker.brokerAddress, RequestCode.VIEW_BROKER_STATS_DATA);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});
