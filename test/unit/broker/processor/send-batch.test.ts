import { describe, expect, it } from 'vitest';
import { encodeBatch } from '../../../../src/protocol/batch-codec.js';
import {
  type SendMessageRequestHeader,
  decodeSendMessageResponseHeader,
  encodeSendMessageRequestHeaderV2,
} from '../../../../src/protocol/headers/send.js';
import { SysFlag } from '../../../../src/protocol/message.js';
import { decodeOffsetMsgId } from '../../../../src/protocol/msg-id.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { header, nextKey, useSendFixture, v2 } from '../../../fixtures/broker/send-fixture.js';

const f = useSendFixture();

describe('send processor: batches', () => {
  it('stores the messages of a batch with their own properties, one offset msgId each', async () => {
    const send = f.processor();
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
      const message = await f.recordAt(decodeOffsetMsgId(id).physicalOffset);
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
    const send = f.processor();
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
    expect(f.store.maxOffsetInQueue('Orders', 0)).toBe(0);
  });
});
