import { EMPTY, firstValueFrom, lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConsumerApi } from '../../../src/client/consumer-api.js';
import {
  createOffsetLookupPorts,
  createRebalancePorts,
  createRemoteOffsetPort,
  createSendBackPort,
} from '../../../src/client/consumer-ports.js';
import { decodePulledMessages, toConsumerMessage } from '../../../src/client/consumer-message.js';
import type { ConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back.js';
import { encodeRecord } from '../../../src/protocol/message-codec.js';
import { encodeProperties } from '../../../src/protocol/properties.js';
import { MQClientError } from '../../../src/errors.js';
import type { TopicRouteData } from '../../../src/protocol/headers/namesrv-bodies.js';

const route: TopicRouteData = {
  queueDatas: [
    { brokerName: 'b2', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
    { brokerName: 'b1', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
  ],
  brokerDatas: [
    { cluster: 'c', brokerName: 'b2', brokerAddrs: { '1': 'slave2:10911' } },
    { cluster: 'c', brokerName: 'b1', brokerAddrs: { '0': 'master1:10911', '1': 'slave1:10911' } },
  ],
  filterServerTable: {},
};

/** Records `call address args…` for each call. */
const fakeApi = () => {
  const calls: string[] = [];
  const api: ConsumerApi = {
    pull$: () => EMPTY,
    queryConsumerOffset$: (address, group, queue) => {
      calls.push(`query ${address} ${group} ${queue.queueId}`);
      return of(11);
    },
    updateConsumerOffset$: (address, header) => {
      calls.push(`update ${address} ${header.consumerGroup} ${header.queueId} ${header.commitOffset}`);
      return of(undefined);
    },
    consumerIds$: (address, group) => {
      calls.push(`ids ${address} ${group}`);
      return of(['c1', 'c2']);
    },
    maxOffset$: (address) => {
      calls.push(`max ${address}`);
      return of(99);
    },
    minOffset$: (address) => {
      calls.push(`min ${address}`);
      return of(0);
    },
    searchOffset$: (address, _queue, timestamp) => {
      calls.push(`search ${address} ${timestamp}`);
      return of(50);
    },
    sendBack$: () => EMPTY,
  };
  return { api, calls };
};

const options = { group: 'g', timeoutMs: 3000 };
const routes = () => of(route);

describe('consumer ports', () => {
  it('rebalance: readable queues from the route, client ids from a broker of the topic', async () => {
    const { api, calls } = fakeApi();
    const ports = createRebalancePorts(api, routes, options);
    expect((await firstValueFrom(ports.queues$('T'))).map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'b2:0',
      'b1:0',
      'b1:1',
    ]);
    expect(await firstValueFrom(ports.clientIds$('g', 'T'))).toEqual(['c1', 'c2']);
    expect(calls).toEqual(['ids master1:10911 g']);
  });

  it('offsets: read and written on the queue’s master', async () => {
    const { api, calls } = fakeApi();
    const port = createRemoteOffsetPort(api, routes, options);
    const queue = { topic: 'T', brokerName: 'b1', queueId: 1 };
    expect(await firstValueFrom(port.read$(queue))).toBe(11);
    await lastValueFrom(port.write$(queue, 12), { defaultValue: undefined });
    expect(calls).toEqual(['query master1:10911 g 1', 'update master1:10911 g 1 12']);
  });

  it('reads and writes offsets on a slave while the queue’s broker has no master', async () => {
    const { api, calls } = fakeApi();
    const port = createRemoteOffsetPort(api, routes, options);
    const queue = { topic: 'T', brokerName: 'b2', queueId: 0 };
    expect(await firstValueFrom(port.read$(queue))).toBe(11);
    await firstValueFrom(port.write$(queue, 12), { defaultValue: undefined });
    expect(calls).toEqual(['query slave2:10911 g 0', 'update slave2:10911 g 0 12']);
  });

  it('fails with MQClientError when start offset lookups find no master', async () => {
    const { api } = fakeApi();
    const ports = createOffsetLookupPorts(api, routes, () => of(undefined), options);
    await expect(
      firstValueFrom(ports.maxOffset$({ topic: 'T', brokerName: 'b2', queueId: 0 })),
    ).rejects.toBeInstanceOf(MQClientError);
  });

  it('start offset lookups go to the master', async () => {
    const { api, calls } = fakeApi();
    const ports = createOffsetLookupPorts(api, routes, () => of(undefined), options);
    const queue = { topic: 'T', brokerName: 'b1', queueId: 0 };
    expect(await firstValueFrom(ports.maxOffset$(queue))).toBe(99);
    expect(await firstValueFrom(ports.searchOffset$(queue, 7))).toBe(50);
    expect(calls).toEqual(['max master1:10911', 'search master1:10911 7']);
  });
});

describe('send-back port', () => {
  it('hands the record back to the broker that stored it, by CommitLog offset', async () => {
    const headers: [string, ConsumerSendMsgBackRequestHeader][] = [];
    const api: ConsumerApi = {
      ...fakeApi().api,
      sendBack$: (address, header) => {
        headers.push([address, header]);
        return of(undefined);
      },
    };
    const sendBack$ = createSendBackPort(api, options);
    const [ext] = decodePulledMessages(
      encodeRecord(
        {
          topic: 'T',
          queueId: 0,
          flag: 0,
          body: Buffer.from('x'),
          properties: encodeProperties({ UNIQ_KEY: 'U1' }),
          sysFlag: 0,
          bornTimestamp: 0,
          bornHost: { address: '1.1.1.1', port: 1 },
          storeHost: { address: '10.0.0.9', port: 10911 },
          reconsumeTimes: 0,
          preparedTransactionOffset: 0,
          tagsCode: 0,
        },
        { physicalOffset: 4096, queueOffset: 3, storeTimestamp: 0 },
      ),
    );
    const message = toConsumerMessage(
      ext!,
      { topic: 'T', brokerName: 'b1', queueId: 0 },
      { ack: () => undefined, retry: () => undefined },
    );
    await lastValueFrom(sendBack$(message, 0), { defaultValue: undefined });
    expect(headers).toEqual([
      [
        '10.0.0.9:10911',
        {
          offset: 4096,
          group: 'g',
          delayLevel: 0,
          originMsgId: 'U1',
          originTopic: 'T',
          unitMode: false,
          maxReconsumeTimes: 16,
        },
      ],
    ]);
  });
});
