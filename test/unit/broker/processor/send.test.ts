import { join } from 'node:path';
import { firstValueFrom, from } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../../../src/broker/config.js';
import { SubscriptionGroupManager } from '../../../../src/broker/managers/subscription-group-manager.js';
import { TopicConfigManager } from '../../../../src/broker/managers/topic-config-manager.js';
import { type SendProcessorDeps, createSendProcessor } from '../../../../src/broker/processor/send.js';
import { MessageStore, type PutOptions } from '../../../../src/broker/store/message-store.js';
import { StoreUnavailableError } from '../../../../src/broker/store/store-errors.js';
import { silentLogger } from '../../../../src/logger.js';
import { encodeBatch } from '../../../../src/protocol/batch-codec.js';
import {
  type SendMessageRequestHeader,
  decodeSendMessageResponseHeader,
  encodeSendMessageRequestHeader,
  encodeSendMessageRequestHeaderV2,
} from '../../../../src/protocol/headers/send.js';
import { decodeRecord } from '../../../../src/protocol/message-codec.js';
import { SysFlag } from '../../../../src/protocol/message.js';
import { createUniqKeyGenerator, decodeOffsetMsgId } from '../../../../src/protocol/msg-id.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';
import { smallStoreConfig } from '../../../fixtures/store/store-fixture.js';

let dir: string;
useTempDir('rxrocket-send-', (path) => {
  dir = path;
});

const STORE_HOST = { address: '127.0.0.1', port: 10911 };
const channel = new FakeChannel('10.1.2.3:50123');
const nextKey = createUniqKeyGenerator();

let store: MessageStore;
let topics: TopicConfigManager;
let groups: SubscriptionGroupManager;
beforeEach(async () => {
  store = await MessageStore.open(smallStoreConfig(dir), { logger: silentLogger });
  topics = await loadTopics(true);
  groups = await SubscriptionGroupManager.load(join(dir, 'subscriptionGroup.json'), true, silentLogger);
});
afterEach(async () => {
  await store.shutdown();
});

const loadTopics = (autoCreateTopicEnable: boolean) =>
  TopicConfigManager.load({
    path: join(dir, `topics-${autoCreateTopicEnable}.json`),
    brokerClusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    autoCreateTopicEnable,
    defaultTopicQueueNums: 8,
    delayLevelCount: 18,
    logger: silentLogger,
  });

function processor(over: Partial<SendProcessorDeps> = {}) {
  const deps: SendProcessorDeps = {
    config: { ...DEFAULT_BROKER_CONFIG, maxMessageSize: 8 * 1024 },
    storeHost: STORE_HOST,
    topics,
    groups,
    put: (inputs, options) => store.putBatch(inputs, options),
    nextUniqKey: createUniqKeyGenerator(),
    logger: silentLogger,
    ...over,
  };
  const process = createSendProcessor(deps);
  return (request: RemotingCommand): Promise<RemotingCommand> =>
    firstValueFrom(from(process(request, channel))).then((r) => r!);
}

const header = (over: Partial<SendMessageRequestHeader> = {}): SendMessageRequestHeader => ({
  producerGroup: 'pg',
  topic: 'Orders',
  defaultTopic: 'TBW102',
  defaultTopicQueueNums: 4,
  queueId: 0,
  sysFlag: 0,
  bornTimestamp: 1_700_000_000_000,
  flag: 7,
  properties: encodeProperties({ UNIQ_KEY: nextKey(), TAGS: 'TagA', KEYS: 'order-1' }),
  ...over,
});

const v2 = (h: SendMessageRequestHeader, body: Uint8Array = Buffer.from('hello')): RemotingCommand =>
  createRequest(RequestCode.SEND_MESSAGE_V2, { extFields: encodeSendMessageRequestHeaderV2(h), body });

/** The stored record of a message; reads see the log once the commit loop has written it out. */
async function recordAt(physicalOffset: number) {
  for (let i = 0; i < 500; i++) {
    const record = await store.readRecord(physicalOffset);
    if (record !== undefined) return decodeRecord(record);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no record at ${physicalOffset}`);
}

const stored = (response: RemotingCommand) =>
  recordAt(decodeOffsetMsgId(decodeSendMessageResponseHeader(response.extFields).msgId).physicalOffset);

describe('send processor', () => {
  it('stores a message as RocketMQ does and answers with offset msgId, queue and queue offset', async () => {
    const send = processor();
    const h = header({ queueId: 2 });
    const first = await send(v2(h));
    const second = await send(v2(header({ queueId: 2 })));
    expect(first.code).toBe(ResponseCode.SUCCESS);
    const firstHeader = decodeSendMessageResponseHeader(first.extFields);
    expect(firstHeader).toMatchObject({ queueId: 2, queueOffset: 0 });
    expect(firstHeader.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(decodeOffsetMsgId(firstHeader.msgId).host).toEqual(STORE_HOST);
    expect(decodeSendMessageResponseHeader(second.extFields).queueOffset).toBe(1);

    const message = await stored(first);
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
    expect(topics.get('Orders')?.writeQueueNums).toBe(4);
  });

  it('reads the V1 header names of SEND_MESSAGE and gives a message without UNIQ_KEY one', async () => {
    const send = processor();
    const request = createRequest(RequestCode.SEND_MESSAGE, {
      extFields: encodeSendMessageRequestHeader(header({ properties: 'TAGS\u0001A\u0002' })),
      body: Buffer.from('v1'),
    });
    const response = await send(request);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const message = await stored(response);
    expect(message.properties.get('UNIQ_KEY')).toMatch(/^[0-9A-F]{32}$/);
    expect(message.properties.get('TAGS')).toBe('A');
  });

  it('picks a queue for a negative queueId and refuses one out of range', async () => {
    const send = processor();
    const picked = decodeSendMessageResponseHeader((await send(v2(header({ queueId: -1 })))).extFields);
    expect(picked.queueId).toBeGreaterThanOrEqual(0);
    expect(picked.queueId).toBeLessThan(4);
    const outOfRange = await send(v2(header({ queueId: 4 })));
    expect(outOfRange.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(outOfRange.remark).toMatch(/queueId\[4\] is illegal/);
  });

  it('answers TOPIC_NOT_EXIST for an unknown topic when auto-creation is off', async () => {
    const send = processor({ topics: await loadTopics(false) });
    const response = await send(v2(header({ topic: 'Nowhere' })));
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toMatch(/topic\[Nowhere\] not exist/);
  });

  it('refuses a body over maxMessageSize and properties over 32 KiB with MESSAGE_ILLEGAL', async () => {
    const send = processor();
    const big = await send(v2(header(), Buffer.alloc(8 * 1024 + 1)));
    expect(big.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(big.remark).toMatch(/msg body length limit 8192B/);
    const props = await send(v2(header({ properties: encodeProperties({ X: 'x'.repeat(40_000) }) })));
    expect(props.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await send(v2(header()))).code).toBe(ResponseCode.SUCCESS);
  });

  it('stores the messages of a batch with their own properties, one offset msgId each', async () => {
    const send = processor();
    const keys = [nextKey(), nextKey(), nextKey()];
    const body = encodeBatch(
      keys.map((key, i) => ({
        flag: i,
        body: Buffer.from(`m${i}`),
        properties: encodeProperties({ UNIQ_KEY: key, TAGS: `T${i}` }),
      })),
    );
    const request = createRequest(RequestCode.SEND_BATCH_MESSAGE, {
      extFields: encodeSendMessageRequestHeaderV2(header({ batch: true, properties: 'WAIT\u0001true' })),
      body,
    });
    await send(v2(header()));
    const response = await send(request);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const h = decodeSendMessageResponseHeader(response.extFields);
    expect(h.queueOffset).toBe(1);
    const ids = h.msgId.split(',');
    expect(ids).toHaveLength(3);
    for (const [i, id] of ids.entries()) {
      const message = await recordAt(decodeOffsetMsgId(id).physicalOffset);
      expect(message).toMatchObject({ topic: 'Orders', queueId: 0, queueOffset: 1 + i, flag: i });
      expect(Object.fromEntries(message.properties)).toMatchObject({
        UNIQ_KEY: keys[i],
        TAGS: `T${i}`,
        CLUSTER: 'DefaultCluster',
        WAIT: 'true',
      });
    }
  });

  it('refuses batches of delayed or transactional messages and malformed batch bodies', async () => {
    const send = processor();
    const batch = (h: Partial<SendMessageRequestHeader>, props: Record<string, string> = {}) =>
      createRequest(RequestCode.SEND_BATCH_MESSAGE, {
        extFields: encodeSendMessageRequestHeaderV2(header({ batch: true, properties: '', ...h })),
        body: encodeBatch([{ flag: 0, body: Buffer.from('x'), properties: encodeProperties(props) }]),
      });
    expect((await send(batch({}, { DELAY: '3' }))).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await send(batch({ properties: 'DELAY\u00012' }))).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await send(batch({ sysFlag: SysFlag.TRANSACTION_PREPARED_TYPE }))).code).toBe(
      ResponseCode.MESSAGE_ILLEGAL,
    );
    const garbage = createRequest(RequestCode.SEND_BATCH_MESSAGE, {
      extFields: encodeSendMessageRequestHeaderV2(header({ batch: true })),
      body: Buffer.from([0, 0, 0, 99, 1, 2, 3]),
    });
    expect((await send(garbage)).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(store.maxOffsetInQueue('Orders', 0)).toBe(0);
  });

  it('passes WAIT=false on as waitStoreMsgOK false, and keeps DELAY as it is', async () => {
    const seen: PutOptions[] = [];
    const send = processor({
      put: (inputs, options) => {
        seen.push(options);
        return store.putBatch(inputs, options);
      },
    });
    const response = await send(
      v2(header({ properties: encodeProperties({ UNIQ_KEY: nextKey(), WAIT: 'false', DELAY: '3' }) })),
    );
    await send(v2(header()));
    expect(seen).toEqual([{ waitStoreMsgOK: false }, { waitStoreMsgOK: true }]);
    const message = await stored(response);
    expect(message.topic).toBe('Orders');
    expect(message.properties.get('DELAY')).toBe('3');
  });

  it('diverts a retry past maxReconsumeTimes to the DLQ, undelayed', async () => {
    const send = processor();
    const retry = (reconsumeTimes: number) =>
      v2(
        header({
          topic: '%RETRY%cg',
          reconsumeTimes,
          maxReconsumeTimes: 3,
          properties: encodeProperties({ UNIQ_KEY: nextKey(), DELAY: '5' }),
        }),
      );
    const kept = await stored(await send(retry(2)));
    expect(kept.topic).toBe('%RETRY%cg');
    const dead = await stored(await send(retry(3)));
    expect(dead).toMatchObject({ topic: '%DLQ%cg', queueId: 0, reconsumeTimes: 3 });
    expect(dead.properties.has('DELAY')).toBe(false);
    expect(topics.get('%DLQ%cg')?.writeQueueNums).toBe(1);
  });

  it('refuses transactional half messages rather than storing them where no one would commit them', async () => {
    const send = processor();
    const response = await send(
      v2(header({ properties: encodeProperties({ UNIQ_KEY: nextKey(), TRAN_MSG: 'true', PGROUP: 'pg' }) })),
    );
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
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
    const send = processor({ logger, put: () => results.shift()!() });
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
    const send = processor();
    const sent: string[] = [];
    const requests = Array.from({ length: 20 }, () => {
      const key = nextKey();
      sent.push(key);
      return v2(header({ topic: 'Fresh', properties: encodeProperties({ UNIQ_KEY: key }) }));
    });
    const responses = await Promise.all(requests.map(send));
    const offsets = responses.map((r) => decodeSendMessageResponseHeader(r.extFields).queueOffset);
    expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const keys = await Promise.all(responses.map(async (r) => (await stored(r)).properties.get('UNIQ_KEY')));
    expect(keys).toEqual(sent);
  });

  it('answers a header missing a required field with SYSTEM_ERROR naming it', async () => {
    const send = processor();
    const response = await send(createRequest(RequestCode.SEND_MESSAGE_V2, { extFields: { a: 'pg' } }));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toMatch(/\bb\b/);
  });
});
