import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';
import * as consumerOffset from '../../../../src/protocol/headers/consumer-offset.js';
import * as client from '../../../../src/protocol/headers/client.js';
import * as pull from '../../../../src/protocol/headers/pull.js';
import * as query from '../../../../src/protocol/headers/query.js';
import * as queueOffset from '../../../../src/protocol/headers/queue-offset.js';
import * as sendBack from '../../../../src/protocol/headers/send-back.js';
import * as subscriptionGroup from '../../../../src/protocol/headers/subscription-group.js';
import * as topicAdmin from '../../../../src/protocol/headers/topic-admin.js';
import * as transaction from '../../../../src/protocol/headers/transaction.js';
import type { ExtFields } from '../../../../src/protocol/remoting-command.js';

const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const long = fc.maxSafeInteger();
const str = fc.string();
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

interface Case {
  readonly name: string;
  readonly arb: fc.Arbitrary<object>;
  readonly encode: (h: never) => ExtFields;
  readonly decode: (ext: ExtFields | undefined) => object;
}

const queue = { topic: str, queueId: int };
/** Where the header refuses a negative queueId (it names a queue, never "any"). */
const queueIndex = { topic: str, queueId: fc.integer({ min: 0, max: 0x7fffffff }) };
const cases: Case[] = [
  {
    name: 'PullMessageRequestHeader',
    arb: fc.record({
      consumerGroup: str,
      topic: str,
      queueId: int,
      queueOffset: long,
      maxMsgNums: int,
      sysFlag: int,
      commitOffset: long,
      suspendTimeoutMillis: long,
      subscription: opt(str),
      subVersion: long,
      expressionType: opt(fc.constantFrom('TAG', 'SQL92')),
    }),
    encode: pull.encodePullMessageRequestHeader,
    decode: pull.decodePullMessageRequestHeader,
  },
  {
    name: 'PullMessageResponseHeader',
    arb: fc.record({ suggestWhichBrokerId: long, nextBeginOffset: long, minOffset: long, maxOffset: long }),
    encode: pull.encodePullMessageResponseHeader,
    decode: pull.decodePullMessageResponseHeader,
  },
  {
    name: 'QueryConsumerOffsetRequestHeader',
    arb: fc.record({ consumerGroup: str, ...queueIndex }),
    encode: consumerOffset.encodeQueryConsumerOffsetRequestHeader,
    decode: consumerOffset.decodeQueryConsumerOffsetRequestHeader,
  },
  {
    name: 'QueryConsumerOffsetResponseHeader',
    arb: fc.record({ offset: long }),
    encode: consumerOffset.encodeQueryConsumerOffsetResponseHeader,
    decode: consumerOffset.decodeQueryConsumerOffsetResponseHeader,
  },
  {
    name: 'UpdateConsumerOffsetRequestHeader',
    arb: fc.record({ consumerGroup: str, ...queueIndex, commitOffset: long }),
    encode: consumerOffset.encodeUpdateConsumerOffsetRequestHeader,
    decode: consumerOffset.decodeUpdateConsumerOffsetRequestHeader,
  },
  {
    name: 'GetMaxOffsetRequestHeader',
    arb: fc.record(queue),
    encode: queueOffset.encodeGetMaxOffsetRequestHeader,
    decode: queueOffset.decodeGetMaxOffsetRequestHeader,
  },
  {
    name: 'GetMinOffsetResponseHeader',
    arb: fc.record({ offset: long }),
    encode: queueOffset.encodeGetMinOffsetResponseHeader,
    decode: queueOffset.decodeGetMinOffsetResponseHeader,
  },
  {
    name: 'SearchOffsetRequestHeader',
    arb: fc.record({ ...queue, timestamp: long }),
    encode: queueOffset.encodeSearchOffsetRequestHeader,
    decode: queueOffset.decodeSearchOffsetRequestHeader,
  },
  {
    name: 'GetEarliestMsgStoretimeResponseHeader',
    arb: fc.record({ timestamp: long }),
    encode: queueOffset.encodeGetEarliestMsgStoretimeResponseHeader,
    decode: queueOffset.decodeGetEarliestMsgStoretimeResponseHeader,
  },
  {
    name: 'UnregisterClientRequestHeader',
    arb: fc.record({ clientID: str, producerGroup: opt(str), consumerGroup: opt(str) }),
    encode: client.encodeUnregisterClientRequestHeader,
    decode: client.decodeUnregisterClientRequestHeader,
  },
  {
    name: 'GetConsumerListByGroupRequestHeader',
    arb: fc.record({ consumerGroup: str }),
    encode: client.encodeGetConsumerListByGroupRequestHeader,
    decode: client.decodeGetConsumerListByGroupRequestHeader,
  },
  {
    name: 'NotifyConsumerIdsChangedRequestHeader',
    arb: fc.record({ consumerGroup: str }),
    encode: client.encodeNotifyConsumerIdsChangedRequestHeader,
    decode: client.decodeNotifyConsumerIdsChangedRequestHeader,
  },
  {
    name: 'ConsumerSendMsgBackRequestHeader',
    arb: fc.record({
      offset: long,
      group: str,
      delayLevel: int,
      originMsgId: opt(str),
      originTopic: opt(str),
      unitMode: fc.boolean(),
      maxReconsumeTimes: opt(int),
    }),
    encode: sendBack.encodeConsumerSendMsgBackRequestHeader,
    decode: sendBack.decodeConsumerSendMsgBackRequestHeader,
  },
  {
    name: 'EndTransactionRequestHeader',
    arb: fc.record({
      producerGroup: str,
      tranStateTableOffset: long,
      commitLogOffset: long,
      commitOrRollback: fc.constantFrom(0, 8, 12),
      fromTransactionCheck: fc.boolean(),
      msgId: str,
      transactionId: opt(str),
    }),
    encode: transaction.encodeEndTransactionRequestHeader,
    decode: transaction.decodeEndTransactionRequestHeader,
  },
  {
    name: 'CheckTransactionStateRequestHeader',
    arb: fc.record({
      tranStateTableOffset: long,
      commitLogOffset: long,
      msgId: opt(str),
      transactionId: opt(str),
      offsetMsgId: opt(str),
    }),
    encode: transaction.encodeCheckTransactionStateRequestHeader,
    decode: transaction.decodeCheckTransactionStateRequestHeader,
  },
  {
    name: 'CreateTopicRequestHeader',
    arb: fc.record({
      topic: str,
      defaultTopic: str,
      readQueueNums: int,
      writeQueueNums: int,
      perm: int,
      topicFilterType: fc.constantFrom('SINGLE_TAG' as const, 'MULTI_TAG' as const),
      topicSysFlag: opt(int),
      order: fc.boolean(),
    }),
    encode: topicAdmin.encodeCreateTopicRequestHeader,
    decode: topicAdmin.decodeCreateTopicRequestHeader,
  },
  {
    name: 'DeleteTopicRequestHeader',
    arb: fc.record({ topic: str }),
    encode: topicAdmin.encodeDeleteTopicRequestHeader,
    decode: topicAdmin.decodeDeleteTopicRequestHeader,
  },
  {
    name: 'QueryMessageRequestHeader',
    arb: fc.record({
      topic: str,
      key: str,
      maxNum: int,
      beginTimestamp: long,
      endTimestamp: long,
      uniqueKeyQuery: opt(fc.boolean()),
    }),
    encode: query.encodeQueryMessageRequestHeader,
    decode: query.decodeQueryMessageRequestHeader,
  },
  {
    name: 'QueryMessageResponseHeader',
    arb: fc.record({ indexLastUpdateTimestamp: long, indexLastUpdatePhyoffset: long }),
    encode: query.encodeQueryMessageResponseHeader,
    decode: query.decodeQueryMessageResponseHeader,
  },
  {
    name: 'ViewMessageRequestHeader',
    arb: fc.record({ offset: long }),
    encode: query.encodeViewMessageRequestHeader,
    decode: query.decodeViewMessageRequestHeader,
  },
  {
    name: 'DeleteSubscriptionGroupRequestHeader',
    arb: fc.record({ groupName: str, removeOffset: fc.boolean() }),
    encode: subscriptionGroup.encodeDeleteSubscriptionGroupRequestHeader,
    decode: subscriptionGroup.decodeDeleteSubscriptionGroupRequestHeader,
  },
];

describe('typed headers', () => {
  it.each(cases)('$name round-trips through extFields of strings', ({ arb, encode, decode }) => {
    fc.assert(
      fc.property(arb, (h) => {
        const ext = encode(h as never);
        expect(Object.values(ext).every((v) => typeof v === 'string')).toBe(true);
        expect(decode(ext)).toEqual(h);
      }),
      { numRuns: 50 },
    );
  });

  it.each(cases)('$name fails with BadRequestError when a required field is missing', ({ decode }) => {
    expect(() => decode(undefined)).toThrow(BadRequestError);
  });

  it('uses the Java field names on the wire', () => {
    expect(
      pull.encodePullMessageRequestHeader({
        consumerGroup: 'CG',
        topic: 'T',
        queueId: 0,
        queueOffset: 5,
        maxMsgNums: 32,
        sysFlag: pull.buildPullSysFlag({ commitOffset: true, suspend: true, subscription: true }),
        commitOffset: 3,
        suspendTimeoutMillis: 15000,
        subscription: '*',
        subVersion: 1,
        expressionType: 'TAG',
      }),
    ).toEqual({
      consumerGroup: 'CG',
      topic: 'T',
      queueId: '0',
      queueOffset: '5',
      maxMsgNums: '32',
      sysFlag: '7',
      commitOffset: '3',
      suspendTimeoutMillis: '15000',
      subscription: '*',
      subVersion: '1',
      expressionType: 'TAG',
    });
    expect(
      query.encodeQueryMessageRequestHeader({
        topic: 't',
        key: 'k',
        maxNum: 1,
        beginTimestamp: 0,
        endTimestamp: 1,
        uniqueKeyQuery: true,
      }),
    ).toMatchObject({ _UNIQUE_KEY_QUERY: 'true' });
  });

  it('PullSysFlag helpers', () => {
    const flag = pull.buildPullSysFlag({ commitOffset: true, suspend: true, litePull: true });
    expect(flag).toBe(0x13);
    expect(pull.hasPullSysFlag(flag, pull.PullSysFlag.SUSPEND)).toBe(true);
    expect(pull.hasPullSysFlag(flag, pull.PullSysFlag.SUBSCRIPTION)).toBe(false);
    expect(pull.clearCommitOffsetFlag(flag)).toBe(0x12);
  });

  it('defaults optional booleans and CreateTopic fields the way Java initialises them', () => {
    const h = topicAdmin.decodeCreateTopicRequestHeader({
      topic: 't',
      defaultTopic: 'TBW102',
      readQueueNums: '8',
      writeQueueNums: '8',
      perm: '6',
    });
    expect(h).toMatchObject({ topicFilterType: 'SINGLE_TAG', order: false, topicSysFlag: undefined });
    const back = sendBack.decodeConsumerSendMsgBackRequestHeader({
      offset: '1',
      group: 'g',
      delayLevel: '0',
    });
    expect(back.unitMode).toBe(false);
  });
});
