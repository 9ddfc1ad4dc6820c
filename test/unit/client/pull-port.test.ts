import { EMPTY, firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConsumerApi } from '../../../src/client/consumer-api.js';
import { decodePulledMessages } from '../../../src/client/consumer-message.js';
import { createPullPort } from '../../../src/client/pull-port.js';
import { MQClientError } from '../../../src/errors.js';
import type { PullMessageRequestHeader } from '../../../src/protocol/headers/pull.js';
import type { TopicRouteData } from '../../../src/protocol/headers/namesrv-bodies.js';
import { PullSysFlag } from '../../../src/protocol/headers/pull.js';
import { recordAt } from '../../fixtures/client/records.js';
import { encodeProperties } from '../../../src/protocol/properties.js';

const route: TopicRouteData = {
  queueDatas: [{ brokerName: 'b', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }],
  brokerDatas: [{ cluster: 'c', brokerName: 'b', brokerAddrs: { '0': 'master:10911' } }],
  filterServerTable: {},
};

const tagged = (queueOffset: number, tag: string): Buffer =>
  recordAt(queueOffset, encodeProperties({ TAGS: tag }));

const fakeApi = () => {
  const pulls: [string, PullMessageRequestHeader, number][] = [];
  const api: ConsumerApi = {
    pull$: (address, header, timeoutMs) => {
      pulls.push([address, header, timeoutMs]);
      return of({
        status: 'FOUND' as const,
        nextBeginOffset: 2,
        minOffset: 0,
        maxOffset: 2,
        messages: decodePulledMessages(Buffer.concat([tagged(0, 'A'), tagged(1, 'Z')])),
      });
    },
    queryConsumerOffset$: () => EMPTY,
    updateConsumerOffset$: () => EMPTY,
    consumerIds$: () => EMPTY,
    maxOffset$: () => EMPTY,
    minOffset$: () => EMPTY,
    searchOffset$: () => EMPTY,
    sendBack$: () => EMPTY,
  };
  return { api, pulls };
};

const queue = { topic: 'T', brokerName: 'b', queueId: 0 };

describe('pull port', () => {
  it('pulls each queue from the broker the last answer suggested, and from a slave while there is no master', async () => {
    const suggestions = [1, 0];
    const addresses: string[] = [];
    const api: ConsumerApi = {
      ...fakeApi().api,
      pull$: (address) => {
        addresses.push(address);
        return of({
          status: 'NO_NEW_MSG' as const,
          nextBeginOffset: 0,
          minOffset: 0,
          maxOffset: 0,
          messages: [],
          suggestWhichBrokerId: suggestions.shift() ?? 0,
        });
      },
    };
    const both: TopicRouteData = {
      ...route,
      brokerDatas: [
        { cluster: 'c', brokerName: 'b', brokerAddrs: { '0': 'master:10911', '1': 'slave:10911' } },
      ],
    };
    let current = both;
    const pull$ = createPullPort(api, () => of(current), { group: 'g', expression: '*', subVersion: 1 });
    const request = { queue, queueOffset: 0, commitOffset: -1 };
    for (let i = 0; i < 3; i++) await firstValueFrom(pull$(request));
    current = {
      ...route,
      brokerDatas: [{ cluster: 'c', brokerName: 'b', brokerAddrs: { '1': 'slave:10911' } }],
    };
    await firstValueFrom(pull$(request));
    expect(addresses).toEqual(['master:10911', 'slave:10911', 'master:10911', 'slave:10911']);
  });

  it('long-polls the queue’s broker with the subscription, committing the window’s offset', async () => {
    const { api, pulls } = fakeApi();
    const pull$ = createPullPort(api, () => of(route), { group: 'g', expression: 'A || B', subVersion: 7 });
    const result = await firstValueFrom(pull$({ queue, queueOffset: 0, commitOffset: 5 }));
    expect(result.messages.map((m) => m.queueOffset)).toEqual([0]);
    const [address, header, timeout] = pulls[0]!;
    expect([address, timeout]).toEqual(['master:10911', 30000]);
    expect(header).toMatchObject({
      consumerGroup: 'g',
      queueOffset: 0,
      maxMsgNums: 32,
      commitOffset: 5,
      suspendTimeoutMillis: 15000,
      subscription: 'A || B',
      subVersion: 7,
      expressionType: 'TAG',
      sysFlag: PullSysFlag.COMMIT_OFFSET | PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION,
    });
  });

  it('commits nothing without an offset or when broadcasting, and leaves SQL92 filtering to the broker', async () => {
    const { api, pulls } = fakeApi();
    const broadcast$ = createPullPort(api, () => of(route), {
      group: 'g',
      expression: 'a > 1',
      expressionType: 'SQL92',
      subVersion: 1,
      broadcasting: true,
    });
    const result = await firstValueFrom(broadcast$({ queue, queueOffset: 0, commitOffset: 5 }));
    expect(result.messages).toHaveLength(2);
    expect(pulls[0]?.[1]).toMatchObject({
      sysFlag: PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION,
      commitOffset: 0,
    });
    const fresh$ = createPullPort(api, () => of(route), { group: 'g', expression: '*', subVersion: 1 });
    await firstValueFrom(fresh$({ queue, queueOffset: 0, commitOffset: -1 }));
    expect(pulls[1]?.[1]).toMatchObject({
      sysFlag: PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION,
      commitOffset: 0,
    });
  });

  it('fails retriably when the route names no such broker', async () => {
    const { api } = fakeApi();
    const pull$ = createPullPort(api, () => of(route), { group: 'g', expression: '*', subVersion: 1 });
    const error = await firstValueFrom(
      pull$({ queue: { ...queue, brokerName: 'x' }, queueOffset: 0, commitOffset: 0 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MQClientError);
    expect(error).toMatchObject({ retriable: true });
  });
});
