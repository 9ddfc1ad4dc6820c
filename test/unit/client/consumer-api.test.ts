import { firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Invoke, createConsumerApi } from '../../../src/client/consumer-api.js';
import { MQBrokerError } from '../../../src/errors.js';
import { encodeGetConsumerListByGroupResponseBody } from '../../../src/protocol/headers/client.js';
import { encodePullMessageResponseHeader } from '../../../src/protocol/headers/pull.js';
import { encodeRecord } from '../../../src/protocol/message-codec.js';
import {
  type RemotingCommand,
  type ResponseInit,
  createResponse,
} from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';

/** A broker that answers every request with `code` and `init`, remembering what it was asked. */
const broker = (code: number, init: ResponseInit = {}) => {
  const requests: RemotingCommand[] = [];
  const invoke: Invoke = (_address, request) => {
    requests.push(request);
    return of(createResponse(request, code, init));
  };
  return { requests, api: createConsumerApi(invoke) };
};

const pullHeader = {
  consumerGroup: 'g',
  topic: 'T',
  queueId: 2,
  queueOffset: 5,
  maxMsgNums: 32,
  sysFlag: 0x2,
  commitOffset: 3,
  suspendTimeoutMillis: 15000,
  subscription: '*',
  subVersion: 1,
};
const offsets = encodePullMessageResponseHeader({
  suggestWhichBrokerId: 0,
  nextBeginOffset: 6,
  minOffset: 0,
  maxOffset: 6,
});

const record = encodeRecord(
  {
    topic: 'T',
    queueId: 2,
    flag: 0,
    body: Buffer.from('hello'),
    properties: '',
    sysFlag: 0,
    bornTimestamp: 1,
    bornHost: { address: '10.0.0.1', port: 1 },
    storeHost: { address: '10.0.0.2', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: 0,
  },
  { physicalOffset: 100, queueOffset: 5, storeTimestamp: 2 },
);

describe('consumer API', () => {
  it('pulls: SUCCESS decodes the records and sends the request header as given', async () => {
    const { api, requests } = broker(ResponseCode.SUCCESS, { extFields: offsets, body: record });
    const result = await firstValueFrom(api.pull$('b:10911', pullHeader, 30000));
    expect(result.status).toBe('FOUND');
    expect(result.nextBeginOffset).toBe(6);
    expect(result.messages.map((m) => [m.queueOffset, Buffer.from(m.body).toString()])).toEqual([
      [5, 'hello'],
    ]);
    expect(requests[0]?.code).toBe(RequestCode.PULL_MESSAGE);
    expect(requests[0]?.extFields).toMatchObject({
      queueOffset: '5',
      commitOffset: '3',
      sysFlag: '2',
      queueId: '2',
    });
  });

  it.each([
    [ResponseCode.PULL_NOT_FOUND, 'NO_NEW_MSG'],
    [ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MSG'],
    [ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_ILLEGAL'],
  ])('maps pull response code %i to %s, with no messages', async (code, status) => {
    const { api } = broker(code, { extFields: offsets });
    const result = await firstValueFrom(api.pull$('b:10911', pullHeader, 30000));
    expect(result).toEqual({
      status,
      nextBeginOffset: 6,
      minOffset: 0,
      maxOffset: 6,
      suggestWhichBrokerId: 0,
      messages: [],
    });
  });

  it('turns any other code into an MQBrokerError with the code and remark', async () => {
    const { api } = broker(ResponseCode.SYSTEM_BUSY, { remark: 'busy' });
    const error = await firstValueFrom(api.pull$('b:10911', pullHeader, 30000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MQBrokerError);
    expect(error).toMatchObject({ responseCode: ResponseCode.SYSTEM_BUSY, remark: 'busy', retriable: true });
  });

  it('queries a consumer offset; QUERY_NOT_FOUND means none', async () => {
    const found = broker(ResponseCode.SUCCESS, { extFields: { offset: '42' } });
    expect(
      await firstValueFrom(found.api.queryConsumerOffset$('b', 'g', { topic: 'T', queueId: 1 }, 3000)),
    ).toBe(42);
    expect(found.requests[0]?.extFields).toEqual({ consumerGroup: 'g', topic: 'T', queueId: '1' });
    const none = broker(ResponseCode.QUERY_NOT_FOUND);
    expect(
      await firstValueFrom(none.api.queryConsumerOffset$('b', 'g', { topic: 'T', queueId: 1 }, 3000)),
    ).toBe(undefined);
  });

  it('updates a consumer offset', async () => {
    const { api, requests } = broker(ResponseCode.SUCCESS);
    await firstValueFrom(
      api.updateConsumerOffset$('b', { consumerGroup: 'g', topic: 'T', queueId: 1, commitOffset: 7 }, 3000),
    );
    expect(requests[0]?.code).toBe(RequestCode.UPDATE_CONSUMER_OFFSET);
    expect(requests[0]?.extFields).toMatchObject({ commitOffset: '7' });
  });

  it('reads the group’s client ids from the JSON body', async () => {
    const { api } = broker(ResponseCode.SUCCESS, {
      body: encodeGetConsumerListByGroupResponseBody({ consumerIdList: ['b@1', 'a@2'] }),
    });
    expect(await firstValueFrom(api.consumerIds$('b', 'g', 3000))).toEqual(['b@1', 'a@2']);
  });

  it('reads max, min and timestamp offsets', async () => {
    const { api, requests } = broker(ResponseCode.SUCCESS, { extFields: { offset: '9' } });
    expect(await firstValueFrom(api.maxOffset$('b', { topic: 'T', queueId: 0 }, 3000))).toBe(9);
    expect(await firstValueFrom(api.minOffset$('b', { topic: 'T', queueId: 0 }, 3000))).toBe(9);
    expect(await firstValueFrom(api.searchOffset$('b', { topic: 'T', queueId: 0 }, 123, 3000))).toBe(9);
    expect(requests.map((r) => r.code)).toEqual([
      RequestCode.GET_MAX_OFFSET,
      RequestCode.GET_MIN_OFFSET,
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
    ]);
    expect(requests[2]?.extFields).toMatchObject({ timestamp: '123' });
  });

  it('sends a message back, failing on a broker error', async () => {
    const header = {
      offset: 100,
      group: 'g',
      delayLevel: 0,
      originMsgId: 'X',
      originTopic: 'T',
      unitMode: false,
    };
    const ok = broker(ResponseCode.SUCCESS);
    await firstValueFrom(ok.api.sendBack$('b', header, 3000));
    expect(ok.requests[0]?.extFields).toMatchObject({ offset: '100', group: 'g', delayLevel: '0' });
    const failed = broker(ResponseCode.SYSTEM_ERROR, { remark: 'no' });
    await expect(firstValueFrom(failed.api.sendBack$('b', header, 3000))).rejects.toBeInstanceOf(
      MQBrokerError,
    );
  });
});
