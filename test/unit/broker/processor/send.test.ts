import { describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../../../src/broker/config.js';
import type { MessageStore, PutOptions } from '../../../../src/broker/store/message-store.js';
import { StoreUnavailableError } from '../../../../src/broker/store/store-errors.js';
import {
  decodeSendMessageResponseHeader,
  encodeSendMessageRequestHeader,
} from '../../../../src/protocol/headers/send.js';
import { decodeOffsetMsgId } from '../../../../src/protocol/msg-id.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { STORE_HOST, header, nextKey, useSendFixture, v2 } from '../../../fixtures/broker/send-fixture.js';

const f = useSendFixture();

describe('send processor', () => {
  it('stores a message as RocketMQ does and answers with offset msgId, queue and queue offset', async () => {
    const send = f.processor();
    const h = header({ queueId: 2 });
    const first = await send(v2(h));
    const second = await send(v2(header({ queueId: 2 })));
    expect(first.code).toBe(ResponseCode.SUCCESS);
    const firstHeader = decodeSendMessageResponseHeader(first.extFields);
    expect(firstHeader).toMatchObject({ queueId: 2, queueOffset: 0 });
    expect(firstHeader.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(decodeOffsetMsgId(firstHeader.msgId).host).toEqual(STORE_HOST);
    expect(decodeSendMessageResponseHeader(second.extFields).queueOffset).toBe(1);

    const message = await f.stored(first);
    expect(message).toMatchObject({
      topic: 'Orders',
      queueId: 2,
      flag: 7,
      bornTimestamp: h.bornTimestamp,
      bornHost: { address: '10.1.2.3', port: 50123 },
      storeHost: STORE_HOST,
    });
    expect(Buffer.from(message.body).toString()).toBe('hello');
    expect(Object.fromEntries(message.properties)).toMatchObject({
      TAGS: 'TagA',
      KEYS: 'order-1',
      CLUSTER: 'DefaultCluster',
    });
    expect(f.topics.get('Orders')?.writeQueueNums).toBe(4);
  });

  it('reads the V1 header names of SEND_MESSAGE and gives a message without UNIQ_KEY one', async () => {
    const send = f.processor();
    const request = createRequest(RequestCode.SEND_MESSAGE, {
      extFields: encodeSendMessageRequestHeader(header({ properties: 'TAGS\u0001A\u0002' })),
      body: Buffer.from('v1'),
    });
    const response = await send(request);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const message = await f.stored(response);
    expect(message.properties.get('UNIQ_KEY')).toMatch(/^[0-9A-F]{32}$/);
    expect(message.properties.get('TAGS')).toBe('A');
  });

  it('picks a queue for a negative queueId and refuses one out of range', async () => {
    const send = f.processor();
    const picked = decodeSendMessageResponseHeader((await send(v2(header({ queueId: -1 })))).extFields);
    expect(picked.queueId).toBeGreaterThanOrEqual(0);
    expect(picked.queueId).toBeLessThan(4);
    const outOfRange = await send(v2(header({ queueId: 4 })));
    expect(outOfRange.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(outOfRange.remark).toMatch(/queueId\[4\] is illegal/);
  });

  it('answers TOPIC_NOT_EXIST for an unknown topic when auto-creation is off', async () => {
    const send = f.processor({ topics: await f.loadTopics(false) });
    const response = await send(v2(header({ topic: 'Nowhere' })));
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toMatch(/topic\[Nowhere\] not exist/);
  });

  it('refuses a body over maxMessageSize and properties over 32 KiB with MESSAGE_ILLEGAL', async () => {
    const send = f.processor();
    const big = await send(v2(header(), Buffer.alloc(8 * 1024 + 1)));
    expect(big.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(big.remark).toMatch(/msg body length limit 8192B/);
    const props = await send(v2(header({ properties: encodeProperties({ X: 'x'.repeat(40_000) }) })));
    expect(props.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await send(v2(header()))).code).toBe(ResponseCode.SUCCESS);
  });

  it('passes WAIT=false on as waitStoreMsgOK false without storing it, and keeps DELAY as it is', async () => {
    const seen: PutOptions[] = [];
    const send = f.processor({
      put: (inputs, options) => {
        seen.push(options);
        return f.store.putBatch(inputs, options);
      },
    });
    const response = await send(
      v2(header({ properties: encodeProperties({ UNIQ_KEY: nextKey(), WAIT: 'false', DELAY: '3' }) })),
    );
    await send(v2(header()));
    expect(seen).toEqual([{ waitStoreMsgOK: false }, { waitStoreMsgOK: true }]);
    const message = await f.stored(response);
    expect(message.topic).toBe('Orders');
    expect(message.properties.get('DELAY')).toBe('3');
    expect(message.properties.has('WAIT')).toBe(false);
  });

  it('diverts a retry past maxReconsumeTimes to the DLQ, undelayed', async () => {
    const send = f.processor();
    const retry = (reconsumeTimes: number) =>
      v2(
        header({
          topic: '%RETRY%cg',
          reconsumeTimes,
          maxReconsumeTimes: 3,
          properties: encodeProperties({ UNIQ_KEY: nextKey(), DELAY: '5' }),
        }),
      );
    const kept = await f.stored(await send(retry(2)));
    expect(kept.topic).toBe('%RETRY%cg');
    const dead = await f.stored(await send(retry(3)));
    expect(dead).toMatchObject({ topic: '%DLQ%cg', queueId: 0, reconsumeTimes: 3 });
    expect(dead.properties.has('DELAY')).toBe(false);
    expect(f.topics.get('%DLQ%cg')?.writeQueueNums).toBe(1);
  });

  it('parks a transactional send as a half message, out of its topic, unless transactions are refused', async () => {
    const request = () =>
      v2(header({ properties: encodeProperties({ UNIQ_KEY: nextKey(), TRAN_MSG: 'true', PGROUP: 'pg' }) }));
    const half = await f.stored(await f.processor()(request()));
    expect(half).toMatchObject({ topic: 'RMQ_SYS_TRANS_HALF_TOPIC', queueId: 0 });
    expect(half.properties.get('REAL_TOPIC')).toBe('Orders');
    const refusing = f.processor({ config: { ...DEFAULT_BROKER_CONFIG, rejectTransactionMessage: true } });
    expect((await refusing(request())).code).toBe(ResponseCode.NO_PERMISSION);
  });

  it('maps store results and errors to response codes, logging only the unforeseen', async () => {
    const logger = recordingLogger();
    const results: (() => Promise<never> | ReturnType<MessageStore['putBatch']>)[] = [
      (): Promise<never> => Promise.reject(new StoreUnavailableError('disk full')),
      (): Promise<never> => Promise.reject(new Error('boom')),
      () =>
        Promise.resolve({
          status: 'FLUSH_DISK_TIMEOUT' as const,
          records: [{ physicalOffset: 1234, queueOffset: 5, size: 100, storeTimestamp: 1 }],
        }),
    ];
    const send = f.processor({ logger, put: () => results.shift()!() });
    const unavailable = await send(v2(header()));
    expect(unavailable).toMatchObject({ code: ResponseCode.SERVICE_NOT_AVAILABLE, remark: 'disk full' });
    const unknown = await send(v2(header()));
    expect(unknown.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    const timeout = await send(v2(header()));
    expect(timeout.code).toBe(ResponseCode.FLUSH_DISK_TIMEOUT);
    expect(decodeSendMessageResponseHeader(timeout.extFields)).toMatchObject({ queueOffset: 5 });
  });

  it('stores in arrival order even when the first send has to create the topic', async () => {
    const send = f.processor();
    const sent: string[] = [];
    const requests = Array.from({ length: 20 }, () => {
      const key = nextKey();
      sent.push(key);
      return v2(header({ topic: 'Fresh', properties: encodeProperties({ UNIQ_KEY: key }) }));
    });
    const responses = await Promise.all(requests.map(send));
    const offsets = responses.map((r) => decodeSendMessageResponseHeader(r.extFields).queueOffset);
    expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const keys = await Promise.all(
      responses.map(async (r) => (await f.stored(r)).properties.get('UNIQ_KEY')),
    );
    expect(keys).toEqual(sent);
  });

  it('answers a header missing a required field with SYSTEM_ERROR naming it', async () => {
    const send = f.processor();
    const response = await send(createRequest(RequestCode.SEND_MESSAGE_V2, { extFields: { a: 'pg' } }));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/\bb\b/);
  });
});
