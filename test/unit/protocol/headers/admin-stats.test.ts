import { describe, expect, it } from 'vitest';
import {
  decodeConsumeStats,
  decodeConsumerConnection,
  decodeResetOffsetBody,
  decodeResetOffsetRequestHeader,
  decodeTopicStatsTable,
  encodeConsumeStats,
  encodeConsumerConnection,
  encodeResetOffsetBody,
  encodeResetOffsetRequestHeader,
  encodeTopicStatsTable,
} from '../../../../src/protocol/headers/admin-stats.js';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';

const mq = (queueId: number) => ({ topic: 'T', brokerName: 'broker-a', queueId });

describe('admin statistics bodies', () => {
  it('TopicStatsTable is keyed by MessageQueue in fastjson object-key syntax and reads back in queue order', () => {
    const body = encodeTopicStatsTable({
      offsetTable: [
        [mq(1), { minOffset: 0, maxOffset: 7, lastUpdateTimestamp: 1700000000000 }],
        [mq(0), { minOffset: 2, maxOffset: 3, lastUpdateTimestamp: 0 }],
      ],
    });
    expect(body.toString()).toBe(
      '{"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":7,"minOffset":0},' +
        '{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":0,"maxOffset":3,"minOffset":2}}}',
    );
    expect(decodeTopicStatsTable(body).offsetTable).toEqual([
      [mq(0), { minOffset: 2, maxOffset: 3, lastUpdateTimestamp: 0 }],
      [mq(1), { minOffset: 0, maxOffset: 7, lastUpdateTimestamp: 1700000000000 }],
    ]);
  });

  it('ConsumeStats writes consumeTps as a Java double and reads what Java writes', () => {
    const body = encodeConsumeStats({
      offsetTable: [[mq(0), { brokerOffset: 9, consumerOffset: 4, lastTimestamp: 5 }]],
      consumeTps: 0,
    });
    expect(body.toString()).toMatch(/^\{"consumeTps":0\.0,"offsetTable":\{\{/);
    const java = Buffer.from(
      '{"consumeTps":1.5,"offsetTable":{{"brokerName":"b","queueId":3,"topic":"T"}:{"brokerOffset":10,"consumerOffset":8,"lastTimestamp":0}}}',
    );
    expect(decodeConsumeStats(java)).toEqual({
      consumeTps: 1.5,
      offsetTable: [
        [
          { topic: 'T', brokerName: 'b', queueId: 3 },
          { brokerOffset: 10, consumerOffset: 8, lastTimestamp: 0 },
        ],
      ],
    });
  });

  it('ConsumerConnection and ResetOffsetBody round-trip; a bad offset is a BadRequestError', () => {
    const connection = {
      connectionSet: [
        { clientId: '10.0.0.1@1', clientAddr: '10.0.0.1:5000', language: 'JAVA', version: 409 },
      ],
      subscriptionTable: {
        T: {
          classFilterMode: false,
          topic: 'T',
          subString: '*',
          tagsSet: [],
          codeSet: [],
          subVersion: 1,
          expressionType: 'TAG',
        },
      },
      consumeType: 'CONSUME_PASSIVELY' as const,
      messageModel: 'CLUSTERING' as const,
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    };
    expect(decodeConsumerConnection(encodeConsumerConnection(connection))).toMatchObject(connection);
    const reset = { offsetTable: [[mq(0), 12] as const, [mq(1), 0] as const] };
    expect(decodeResetOffsetBody(encodeResetOffsetBody(reset))).toEqual(reset);
    expect(() =>
      decodeResetOffsetBody(Buffer.from('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:"x"}}')),
    ).toThrow(BadRequestError);
    const header = { topic: 'T', group: 'G', timestamp: -1, isForce: true };
    expect(decodeResetOffsetRequestHeader(encodeResetOffsetRequestHeader(header))).toEqual(header);
  });
});
