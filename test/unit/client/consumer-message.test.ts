import { describe, expect, it } from 'vitest';
import {
  type ConsumerMessage,
  decodePulledMessages,
  recheckTags,
  toConsumerMessage,
} from '../../../src/client/consumer-message.js';
import { compressBody } from '../../../src/protocol/compression.js';
import { parseTagExpression } from '../../../src/protocol/filter/tag.js';
import { SysFlag } from '../../../src/protocol/message.js';
import { encodeRecord } from '../../../src/protocol/message-codec.js';
import { encodeProperties } from '../../../src/protocol/properties.js';

const record = (
  queueOffset: number,
  props: Record<string, string>,
  body: Uint8Array = Buffer.from(`m${queueOffset}`),
  sysFlag = 0,
): Buffer =>
  encodeRecord(
    {
      topic: 'T',
      queueId: 1,
      flag: 0,
      body,
      properties: encodeProperties(props),
      sysFlag,
      bornTimestamp: 1,
      bornHost: { address: '10.0.0.1', port: 5000 },
      storeHost: { address: '10.0.0.2', port: 10911 },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      tagsCode: 0,
    },
    { physicalOffset: 1000 + queueOffset, queueOffset, storeTimestamp: 2 },
  );

const queue = { topic: 'T', brokerName: 'b', queueId: 1 };

describe('pulled messages', () => {
  it('decodes a pull body of records back to back and inflates compressed bodies', () => {
    const big = Buffer.alloc(5000, 'x');
    const body = Buffer.concat([
      record(0, { TAGS: 'A' }),
      record(1, {}, compressBody(big), SysFlag.COMPRESSED),
    ]);
    const messages = decodePulledMessages(body);
    expect(messages.map((m) => m.queueOffset)).toEqual([0, 1]);
    expect(Buffer.from(messages[0]!.body).toString()).toBe('m0');
    expect(Buffer.from(messages[1]!.body).equals(big)).toBe(true);
  });

  it('gives a redelivered message back the topic it was sent to', () => {
    const [m] = decodePulledMessages(record(0, { RETRY_TOPIC: 'Orders' }));
    expect(m?.topic).toBe('Orders');
  });

  it('rechecks tags by string, since the broker matched only their hash', () => {
    const messages = decodePulledMessages(
      Buffer.concat([record(0, { TAGS: 'A' }), record(1, { TAGS: 'B' }), record(2, {})]),
    );
    expect(recheckTags(messages, parseTagExpression('A || C')).map((m) => m.queueOffset)).toEqual([0]);
    expect(recheckTags(messages, parseTagExpression('*'))).toHaveLength(3);
  });
});

describe('ConsumerMessage', () => {
  const consumerMessage = (props: Record<string, string> = {}) => {
    const acks: ConsumerMessage[] = [];
    const retries: [ConsumerMessage, number][] = [];
    const [ext] = decodePulledMessages(record(7, props));
    const m = toConsumerMessage(ext!, queue, {
      ack: (msg) => acks.push(msg),
      retry: (msg, level) => retries.push([msg, level]),
    });
    return { m, acks, retries };
  };

  it('carries the queue, its key, tags, keys, and the producer’s msgId beside the offset msgId', () => {
    const { m } = consumerMessage({ TAGS: 'A', KEYS: 'k1 k2', UNIQ_KEY: 'UNIQ' });
    expect(m.queue).toBe(queue);
    expect(m.queueKey).toBe('b@1');
    expect(m.tags).toBe('A');
    expect(m.keys).toEqual(['k1', 'k2']);
    expect(m.msgId).toBe('UNIQ');
    expect(m.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
    expect(consumerMessage().m.msgId).toBe(m.offsetMsgId);
  });

  it('acks once however often ack() is called', () => {
    const { m, acks } = consumerMessage();
    m.ack();
    m.ack();
    expect(acks).toEqual([m]);
    expect(m.settled).toBe(true);
  });

  it('retries once with the delay level asked for (0: the broker’s choice), and never after an ack', () => {
    const a = consumerMessage();
    a.m.retry({ delayLevel: 5 });
    a.m.retry();
    a.m.ack();
    expect(a.retries).toEqual([[a.m, 5]]);
    expect(a.acks).toEqual([]);

    const b = consumerMessage();
    b.m.ack();
    b.m.retry();
    expect(b.retries).toEqual([]);

    const c = consumerMessage();
    c.m.retry();
    expect(c.retries).toEqual([[c.m, 0]]);
  });
});
