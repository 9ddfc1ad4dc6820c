import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../../../src/broker/config.js';
import { createSendBackProcessor } from '../../../../src/broker/processor/send-back.js';
import { silentLogger } from '../../../../src/logger.js';
import {
  type ConsumerSendMsgBackRequestHeader,
  encodeConsumerSendMsgBackRequestHeader,
} from '../../../../src/protocol/headers/send-back.js';
import { decodeRecord } from '../../../../src/protocol/message-codec.js';
import type { MessageExt } from '../../../../src/protocol/message.js';
import { createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { useConsumeFixture } from '../../../fixtures/broker/consume-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useConsumeFixture();

describe('consumer send-back processor', () => {
  const sendBack = async (over: Partial<ConsumerSendMsgBackRequestHeader> & { offset: number }) => {
    const process = createSendBackProcessor({
      config: DEFAULT_BROKER_CONFIG,
      storeHost: { address: '127.0.0.1', port: 10911 },
      topics: f.send.topics,
      groups: f.groups,
      store: f.send.store,
      put: (inputs, options) => f.send.store.putBatch(inputs, options),
      logger: silentLogger,
    });
    const request = createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
      extFields: encodeConsumerSendMsgBackRequestHeader({
        group: 'cg',
        delayLevel: 0,
        unitMode: false,
        ...over,
      }),
    });
    return firstValueFrom(from(process(request, new FakeChannel()))).then((r) => r!);
  };
  /** The only message on a one-queue topic, once it is pullable. */
  const only = async (topic: string): Promise<MessageExt> => {
    for (let i = 0; i < 500; i++) {
      const result = await f.send.store.getMessage(topic, 0, { offset: 0, maxCount: 8, maxBytes: 1 << 20 });
      if (result.messages.length > 0) {
        expect(result.messages).toHaveLength(1);
        return decodeRecord(result.messages[0]!);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`nothing on ${topic}`);
  };

  it('re-stores a failed message on %RETRY%group, then on %DLQ%group once retries run out', async () => {
    await f.sendTagged('TagA');
    const original = await only('Orders');
    expect((await sendBack({ offset: original.commitLogOffset })).code).toBe(ResponseCode.SUCCESS);
    const retried = await only('%RETRY%cg');
    expect(retried.reconsumeTimes).toBe(1);
    expect(Buffer.from(retried.body)).toEqual(Buffer.from(original.body));
    expect(Object.fromEntries(retried.properties)).toMatchObject({
      TAGS: 'TagA',
      RETRY_TOPIC: 'Orders',
      ORIGIN_MESSAGE_ID: original.msgId,
      DELAY: '3',
    });
    expect(f.send.topics.get('%RETRY%cg')?.perm).toBe(6);

    expect((await sendBack({ offset: retried.commitLogOffset, maxReconsumeTimes: 1 })).code).toBe(
      ResponseCode.SUCCESS,
    );
    const dead = await only('%DLQ%cg');
    expect(dead.reconsumeTimes).toBe(2);
    expect(dead.properties.get('RETRY_TOPIC')).toBe('Orders');
    expect(dead.properties.get('ORIGIN_MESSAGE_ID')).toBe(original.msgId);
    expect(dead.properties.has('DELAY')).toBe(false);
    expect(f.send.topics.get('%DLQ%cg')?.perm).toBe(2);
  });

  it('sends to the DLQ at once for a negative delay level, and refuses an offset with no message', async () => {
    await f.sendTagged('TagA');
    const original = await only('Orders');
    expect((await sendBack({ offset: original.commitLogOffset, delayLevel: -1 })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await only('%DLQ%cg')).reconsumeTimes).toBe(1);
    const missing = await sendBack({ offset: 1 << 30 });
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(missing.remark).toBe(`look message by offset failed, ${1 << 30}`);
  });
});
