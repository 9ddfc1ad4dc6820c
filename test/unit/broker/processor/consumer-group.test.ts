import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { brokerProcessors } from '../../../../src/broker/broker-processors.js';
import { DEFAULT_BROKER_CONFIG } from '../../../../src/broker/config.js';
import { initialDataVersion } from '../../../../src/broker/managers/data-version.js';
import { ProducerManager } from '../../../../src/broker/managers/producer-manager.js';
import { silentLogger } from '../../../../src/logger.js';
import {
  type ConsumerData,
  encodeGetConsumerListByGroupRequestHeader,
  encodeHeartbeatData,
  encodeUnregisterClientRequestHeader,
  parseGetConsumerListByGroupResponseBody,
} from '../../../../src/protocol/headers/client.js';
import {
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from '../../../../src/protocol/headers/subscription-group.js';
import { createUniqKeyGenerator } from '../../../../src/protocol/msg-id.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { useConsumeFixture } from '../../../fixtures/broker/consume-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useConsumeFixture();

const consumer = (groupName: string): ConsumerData => ({
  groupName,
  consumeType: 'CONSUME_PASSIVELY',
  messageModel: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  unitMode: false,
  subscriptionDataSet: [],
});

describe('consumer group processors', () => {
  const call = (request: RemotingCommand, channel = new FakeChannel()) => {
    const processors = brokerProcessors({
      config: DEFAULT_BROKER_CONFIG,
      configVersion: initialDataVersion(0),
      storeHost: { address: '127.0.0.1', port: 10911 },
      topics: f.send.topics,
      groups: f.groups,
      offsets: f.offsets,
      producers: new ProducerManager(),
      consumers: f.consumers,
      store: f.send.store,
      put: (inputs, options) => f.send.store.putBatch(inputs, options),
      deleteQueues: () => Promise.resolve(),
      registered: () => Promise.resolve(),
      nextUniqKey: createUniqKeyGenerator(),
      now: () => 0,
      logger: silentLogger,
    });
    return firstValueFrom(from(processors.get(request.code)!(request, channel))).then((r) => r!);
  };
  const heartbeat = (clientID: string, group: string) =>
    createRequest(RequestCode.HEART_BEAT, {
      body: encodeHeartbeatData({ clientID, producerDataSet: [], consumerDataSet: [consumer(group)] }),
    });
  const list = (group: string) =>
    call(
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
        extFields: encodeGetConsumerListByGroupRequestHeader({ consumerGroup: group }),
      }),
    );

  it("creates the group's %RETRY% topic on a consumer heartbeat and lists its members", async () => {
    expect((await list('cg')).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await call(heartbeat('10.0.0.1@a', 'cg'))).code).toBe(ResponseCode.SUCCESS);
    expect(f.send.topics.get('%RETRY%cg')).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 });
    const b = new FakeChannel('10.0.0.2:5000');
    await call(heartbeat('10.0.0.2@b', 'cg'), b);
    const response = await list('cg');
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect([...parseGetConsumerListByGroupResponseBody(response.body).consumerIdList].sort()).toEqual([
      '10.0.0.1@a',
      '10.0.0.2@b',
    ]);
    await call(
      createRequest(RequestCode.UNREGISTER_CLIENT, {
        extFields: encodeUnregisterClientRequestHeader({ clientID: '10.0.0.2@b', consumerGroup: 'cg' }),
      }),
      b,
    );
    expect(parseGetConsumerListByGroupResponseBody((await list('cg')).body).consumerIdList).toEqual([
      '10.0.0.1@a',
    ]);
  });

  it('creates or updates a subscription group and lists them all', async () => {
    const config = { ...defaultSubscriptionGroupConfig('admin-made'), retryMaxTimes: 3 };
    const created = await call(
      createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {
        body: encodeSubscriptionGroupConfig(config),
      }),
    );
    expect(created.code).toBe(ResponseCode.SUCCESS);
    expect(f.groups.get('admin-made')?.retryMaxTimes).toBe(3);
    const all = await call(createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
    const table = (
      JSON.parse(Buffer.from(all.body!).toString()) as {
        subscriptionGroupTable: Record<string, { retryMaxTimes: number }>;
      }
    ).subscriptionGroupTable;
    expect(table['admin-made']?.retryMaxTimes).toBe(3);
    const refused = await call(createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP));
    expect(refused.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});
