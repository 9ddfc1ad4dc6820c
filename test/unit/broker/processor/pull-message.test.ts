import { describe, expect, it } from 'vitest';
import { buildPullSysFlag, decodePullMessageResponseHeader } from '../../../../src/protocol/headers/pull.js';
import { decodeRecords } from '../../../../src/protocol/message-codec.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { pullHeader, useConsumeFixture } from '../../../fixtures/broker/consume-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useConsumeFixture();

const tagsOf = (body: Uint8Array | undefined): (string | undefined)[] =>
  decodeRecords(Buffer.from(body ?? [])).map((m) => m.properties.get('TAGS'));

describe('pull message processor', () => {
  it('answers the stored records as they are, with the offsets to continue from', async () => {
    for (const tag of ['A', 'B', 'C']) await f.sendTagged(tag);
    const pull = f.puller();
    const response = (await pull(pullHeader({ queueOffset: 1 })))!;
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(decodePullMessageResponseHeader(response.extFields)).toEqual({
      suggestWhichBrokerId: 0,
      nextBeginOffset: 3,
      minOffset: 0,
      maxOffset: 3,
    });
    const messages = decodeRecords(Buffer.from(response.body!));
    expect(messages.map((m) => [m.queueOffset, m.properties.get('TAGS')])).toEqual([
      [1, 'B'],
      [2, 'C'],
    ]);
    const stored = await f.send.store.getMessage('Orders', 0, { offset: 1, maxCount: 2, maxBytes: 1 << 20 });
    expect(Buffer.from(response.body!)).toEqual(Buffer.concat(stored.messages));
  });

  it('honours maxMsgNums', async () => {
    for (const tag of ['A', 'B', 'C']) await f.sendTagged(tag);
    const response = (await f.puller()(pullHeader({ maxMsgNums: 2 })))!;
    expect(tagsOf(response.body)).toEqual(['A', 'B']);
    expect(decodePullMessageResponseHeader(response.extFields).nextBeginOffset).toBe(2);
  });

  it('maps the store statuses as RocketMQ does', async () => {
    const pull = f.puller();
    const header = async (offset: number) => {
      const r = (await pull(pullHeader({ queueOffset: offset })))!;
      return { code: r.code, ...decodePullMessageResponseHeader(r.extFields) };
    };
    expect(await header(0)).toMatchObject({ code: ResponseCode.PULL_NOT_FOUND, nextBeginOffset: 0 });
    expect(await header(5)).toMatchObject({ code: ResponseCode.PULL_OFFSET_MOVED });
    await f.sendTagged('A');
    await f.sendTagged('A');
    expect(await header(2)).toMatchObject({ code: ResponseCode.PULL_NOT_FOUND, nextBeginOffset: 2 });
    // Past the end of a queue that still starts at 0, RocketMQ sends the consumer back to its start.
    expect(await header(9)).toMatchObject({
      code: ResponseCode.PULL_OFFSET_MOVED,
      nextBeginOffset: 0,
      maxOffset: 2,
    });
  });

  it('filters by tag hash from the subscription the pull carries', async () => {
    for (const tag of ['A', 'B', 'A', 'C']) await f.sendTagged(tag);
    const pull = f.puller();
    const bc = (await pull(pullHeader({ subscription: 'B || C' })))!;
    expect(tagsOf(bc.body)).toEqual(['B', 'C']);
    const none = (await pull(pullHeader({ subscription: 'Z' })))!;
    expect(none.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    expect(decodePullMessageResponseHeader(none.extFields).nextBeginOffset).toBe(4);
  });

  it('filters by SQL92 over the properties when property filters are on, and refuses a bad expression', async () => {
    for (const [i, region] of ['eu', 'us', 'eu', 'ap'].entries()) {
      await f.sendTagged(`T${i}`, 0, { region, amount: String(i * 10) });
    }
    const pull = f.puller({ enablePropertyFilter: true });
    const sql = (subscription: string) => pull(pullHeader({ expressionType: 'SQL92', subscription }));
    expect(tagsOf((await sql("region = 'eu' AND amount >= 10"))!.body)).toEqual(['T2']);
    expect(tagsOf((await sql("region IN ('us', 'ap') OR amount IS NULL"))!.body)).toEqual(['T1', 'T3']);
    const none = (await sql("region = 'cn'"))!;
    expect(none.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY);
    const bad = (await sql('region = '))!;
    expect(bad.code).toBe(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    expect(bad.remark).toMatch(/parse failed/);
  });

  it("otherwise uses the group's heartbeat subscription, which must exist and be as new", async () => {
    await f.sendTagged('A');
    await f.sendTagged('B');
    const pull = f.puller();
    const fromHeartbeat = pullHeader({ sysFlag: 0, subscription: undefined, subVersion: 5 });
    expect((await pull(fromHeartbeat))!.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
    const subscription = (subVersion: number) => ({
      groupName: 'cg',
      consumeType: 'CONSUME_PASSIVELY' as const,
      messageModel: 'CLUSTERING' as const,
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      unitMode: false,
      subscriptionDataSet: [
        {
          classFilterMode: false,
          topic: 'Orders',
          subString: 'B',
          tagsSet: ['B'],
          codeSet: [66],
          subVersion,
          expressionType: 'TAG',
        },
      ],
    });
    f.consumers.register('client-1', subscription(4), new FakeChannel(), 0);
    expect((await pull(fromHeartbeat))!.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST);
    f.consumers.register('client-1', subscription(5), new FakeChannel(), 0);
    expect(tagsOf((await pull(fromHeartbeat))!.body)).toEqual(['B']);
  });

  it('refuses an unknown topic, an illegal queue, SQL92 while property filters are off, unknown groups', async () => {
    const pull = f.puller();
    const refusal = async (over: Parameters<typeof pullHeader>[0], p = pull) => {
      const r = (await p(pullHeader(over)))!;
      return [r.code, r.remark];
    };
    expect(await refusal({ topic: 'Nowhere' })).toEqual([
      ResponseCode.TOPIC_NOT_EXIST,
      'topic[Nowhere] not exist, apply first please!',
    ]);
    expect((await refusal({ queueId: 4 }))[0]).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await refusal({ expressionType: 'SQL92', subscription: 'a > 1' }))[0]).toBe(
      ResponseCode.SYSTEM_ERROR,
    );
    expect((await refusal({ consumerGroup: 'unknown' }, f.puller({ autoCreateGroups: false })))[0]).toBe(
      ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
    );
    expect(f.groups.get('cg')).toBeDefined();
  });

  it('stores the consumer offset the pull carries', async () => {
    await f.puller()(
      pullHeader({ sysFlag: buildPullSysFlag({ subscription: true, commitOffset: true }), commitOffset: 7 }),
    );
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(7);
    await f.puller()(pullHeader({ commitOffset: 9 }));
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(7);
  });
});

describe('pull message processor, long polling', () => {
  const suspended = (over: Parameters<typeof pullHeader>[0] = {}) =>
    pullHeader({
      sysFlag: buildPullSysFlag({ subscription: true, suspend: true, commitOffset: true }),
      ...over,
    });

  it('parks an empty pull and answers it with the next matching message', async () => {
    await f.sendTagged('A');
    const events: string[] = [];
    const answered = f
      .puller()(suspended({ queueOffset: 1, subscription: 'B', commitOffset: 1 }))
      .then((r) => {
        events.push('answered');
        return r!;
      });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await f.sendTagged('A');
    events.push('sent A');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await f.sendTagged('B');
    events.push('sent B');
    const response = await answered;
    expect(events).toEqual(['sent A', 'sent B', 'answered']);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(tagsOf(response.body)).toEqual(['B']);
    expect(f.offsets.queryOffset('cg', 'Orders', 0)).toBe(1);
  });

  it('answers PULL_NOT_FOUND at its suspend timeout', async () => {
    const started = Date.now();
    const response = (await f.puller()(suspended({ suspendTimeoutMillis: 100 })))!;
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('drops a parked pull whose channel closes', async () => {
    const channel = new FakeChannel();
    const answer = f.puller()(suspended(), channel);
    await new Promise((resolve) => setTimeout(resolve, 20));
    channel.closeNow();
    expect(await answer).toBeUndefined();
  });
});
