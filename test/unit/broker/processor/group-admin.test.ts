import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createGroupAdminProcessors } from '../../../../src/broker/processor/group-admin.js';
import { silentLogger } from '../../../../src/logger.js';
import {
  decodeResetOffsetBody,
  decodeResetOffsetRequestHeader,
  encodeResetOffsetRequestHeader,
} from '../../../../src/protocol/headers/admin-stats.js';
import { encodeDeleteSubscriptionGroupRequestHeader } from '../../../../src/protocol/headers/subscription-group.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { useConsumeFixture } from '../../../fixtures/broker/consume-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useConsumeFixture();

const processors = () =>
  createGroupAdminProcessors({
    brokerName: 'broker-a',
    topics: f.send.topics,
    groups: f.groups,
    offsets: f.offsets,
    consumers: f.consumers,
    store: f.send.store,
    logger: silentLogger,
  });

const call = async (request: RemotingCommand): Promise<RemotingCommand> =>
  (await firstValueFrom(from(processors().get(request.code)!(request, new FakeChannel()))))!;

const reset = (timestamp: number, isForce: boolean, group = 'cg', topic = 'Orders') =>
  call(
    createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
      extFields: encodeResetOffsetRequestHeader({ topic, group, timestamp, isForce }),
    }),
  );

const offsetsOf = (response: RemotingCommand) =>
  decodeResetOffsetBody(response.body).offsetTable.map(([mq, offset]) => [mq.queueId, offset]);

describe('INVOKE_BROKER_TO_RESET_OFFSET', () => {
  it('moves committed offsets back to a time, and forward only when forced', async () => {
    for (let i = 0; i < 3; i++) await f.sendTagged('A', 0);
    f.offsets.commitOffset('cg', 'Orders', 0, 1);

    const end = await reset(-1, false);
    expect(end.code).toBe(ResponseCode.SUCCESS);
    expect(offsetsOf(end)).toEqual([
      [0, 1],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(1);

    expect(offsetsOf(await reset(-1, true))[0]).toEqual([0, 3]);
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(3);

    expect(offsetsOf(await reset(0, false))[0]).toEqual([0, 0]);
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(0);
  });

  it('tells online members with RESET_CONSUMER_CLIENT_OFFSET', async () => {
    await f.sendTagged('A', 0);
    f.offsets.commitOffset('cg', 'Orders', 0, 1);
    const member = new FakeChannel('10.0.0.9:4000');
    f.consumers.register(
      '10.0.0.9@m',
      {
        groupName: 'cg',
        consumeType: 'CONSUME_PASSIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        unitMode: false,
        subscriptionDataSet: [],
      },
      member,
      0,
    );
    await reset(0, true);
    const told = member.sent.filter((r) => r.code === RequestCode.RESET_CONSUMER_CLIENT_OFFSET);
    expect(told).toHaveLength(1);
    expect(decodeResetOffsetRequestHeader(told[0]!.extFields)).toEqual({
      topic: 'Orders',
      group: 'cg',
      timestamp: 0,
      isForce: true,
    });
    expect(decodeResetOffsetBody(told[0]!.body).offsetTable[0]![1]).toBe(0);
  });

  it('refuses a topic the broker lacks and a group with no offsets on it', async () => {
    expect(await reset(0, true, 'cg', 'NoSuchTopic')).toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: expect.stringContaining('no topic in this broker'),
    });
    expect(await reset(0, true, 'nobody')).toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: 'THe consumer group <nobody> not exist',
    });
  });
});

describe('DELETE_SUBSCRIPTIONGROUP', () => {
  it('deletes the group, and its offsets only when asked', async () => {
    await f.groups.findOrCreate('g1');
    f.offsets.commitOffset('g1', 'Orders', 0, 5);
    const keep = await call(
      createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        extFields: encodeDeleteSubscriptionGroupRequestHeader({ groupName: 'g1', removeOffset: false }),
      }),
    );
    expect(keep.code).toBe(ResponseCode.SUCCESS);
    expect(f.groups.get('g1')).toBeUndefined();
    expect(f.offsets.queryOffset('g1', 'Orders', 0)).toBe(5);
    await call(
      createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        extFields: encodeDeleteSubscriptionGroupRequestHeader({ groupName: 'g1', removeOffset: true }),
      }),
    );
    expect(f.offsets.queryOffset('g1', 'Orders', 0)).toBe(-1);
  });
});
