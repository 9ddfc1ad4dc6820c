import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';
import {
  type SendMessageRequestHeader,
  decodeSendMessageRequestHeader,
  decodeSendMessageResponseHeader,
  encodeSendMessageRequestHeader,
  encodeSendMessageRequestHeaderV2,
  encodeSendMessageResponseHeader,
  fromV2,
  toV2,
} from '../../../../src/protocol/headers/send.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';

const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const long = fc.maxSafeInteger();
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const requestArb: fc.Arbitrary<SendMessageRequestHeader> = fc.record({
  producerGroup: fc.string(),
  topic: fc.string(),
  defaultTopic: fc.constant('TBW102'),
  defaultTopicQueueNums: int,
  queueId: int,
  sysFlag: int,
  bornTimestamp: long,
  flag: int,
  properties: opt(fc.string()),
  reconsumeTimes: opt(int),
  unitMode: fc.boolean(),
  maxReconsumeTimes: opt(int),
  batch: fc.boolean(),
  bname: opt(fc.string()),
});

describe('send headers', () => {
  it('round-trip through V1 names (SEND_MESSAGE) and V2 names (SEND_MESSAGE_V2, SEND_BATCH_MESSAGE)', () => {
    fc.assert(
      fc.property(requestArb, (h) => {
        expect(
          decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, encodeSendMessageRequestHeader(h)),
        ).toEqual(h);
        const v2 = encodeSendMessageRequestHeaderV2(h);
        expect(decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, v2)).toEqual(h);
        expect(decodeSendMessageRequestHeader(RequestCode.SEND_BATCH_MESSAGE, v2)).toEqual(h);
        expect(toV2(encodeSendMessageRequestHeader(h))).toEqual(v2);
        expect(fromV2(v2)).toEqual(encodeSendMessageRequestHeader(h));
      }),
      { numRuns: 200 },
    );
  });

  it('writes V2 with one-letter names, unitMode and batch always present as Java does', () => {
    const ext = encodeSendMessageRequestHeaderV2({
      producerGroup: 'PG',
      topic: 'T',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 1,
      sysFlag: 0,
      bornTimestamp: 1690000000000,
      flag: 0,
    });
    expect(ext).toEqual({
      a: 'PG',
      b: 'T',
      c: 'TBW102',
      d: '4',
      e: '1',
      f: '0',
      g: '1690000000000',
      h: '0',
      k: 'false',
      m: 'false',
    });
  });

  it('follows the names present when a client pairs a code with the other naming', () => {
    const v1 = {
      producerGroup: 'PG',
      topic: 'T',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: '4',
      queueId: '0',
    };
    const full = { ...v1, sysFlag: '0', bornTimestamp: '1', flag: '0' };
    expect(decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, full).topic).toBe('T');
    expect(decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE, toV2(full)).topic).toBe('T');
  });

  it('fails a header without a required field, naming it', () => {
    const ext = toV2({ producerGroup: 'PG', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: '4' });
    expect(() => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, ext)).toThrow(BadRequestError);
    expect(() => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, ext)).toThrow(/<e>/);
    expect(() => decodeSendMessageRequestHeader(RequestCode.SEND_MESSAGE_V2, undefined)).toThrow(
      BadRequestError,
    );
  });

  it('round-trips the response header', () => {
    const h = { msgId: '0A0000010000000000000064', queueId: 2, queueOffset: 15, transactionId: undefined };
    expect(decodeSendMessageResponseHeader(encodeSendMessageResponseHeader(h))).toEqual({
      ...h,
      MSG_REGION: undefined,
      TRACE_ON: undefined,
    });
    expect(encodeSendMessageResponseHeader(h)).toEqual({ msgId: h.msgId, queueId: '2', queueOffset: '15' });
  });
});
