import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';
import {
  type HeartbeatData,
  encodeGetConsumerListByGroupResponseBody,
  encodeHeartbeatData,
  parseGetConsumerListByGroupResponseBody,
  parseHeartbeatData,
} from '../../../../src/protocol/headers/client.js';
import {
  encodeLockBatchRequestBody,
  encodeLockBatchResponseBody,
  messageQueueKey,
  parseLockBatchRequestBody,
  parseLockBatchResponseBody,
  parseUnlockBatchRequestBody,
} from '../../../../src/protocol/headers/lock.js';
import {
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
  parseSubscriptionGroupConfigBody,
} from '../../../../src/protocol/headers/subscription-group.js';
import { parseTopicConfig } from '../../../../src/protocol/headers/topic-admin.js';
import { parseFastJson } from '../../../../src/protocol/fastjson.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('HeartbeatData', () => {
  const javaSample =
    '{"clientID":"192.168.1.2@12345#98765","producerDataSet":[{"groupName":"PG"},{"groupName":"CLIENT_INNER_PRODUCER"}],' +
    '"consumerDataSet":[{"groupName":"CG","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",' +
    '"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","unitMode":false,"subscriptionDataSet":[{"classFilterMode":false,' +
    '"topic":"T","subString":"TagA || TagB","tagsSet":["TagA","TagB"],"codeSet":[2598919,2598920],' +
    '"subVersion":1690000000000,"expressionType":"TAG"}]}]}';

  it('parses what a Java client sends', () => {
    const data = parseHeartbeatData(utf8(javaSample));
    expect(data.clientID).toBe('192.168.1.2@12345#98765');
    expect(data.producerDataSet.map((p) => p.groupName)).toEqual(['PG', 'CLIENT_INNER_PRODUCER']);
    expect(data.consumerDataSet[0]).toMatchObject({
      groupName: 'CG',
      consumeType: 'CONSUME_PASSIVELY',
      unitMode: false,
    });
    expect(data.consumerDataSet[0]!.subscriptionDataSet[0]).toMatchObject({
      topic: 'T',
      tagsSet: ['TagA', 'TagB'],
      codeSet: [2598919, 2598920],
      subVersion: 1690000000000,
      expressionType: 'TAG',
    });
  });

  it('fills Java defaults for what lighter clients leave out', () => {
    const data = parseHeartbeatData(
      utf8(
        '{"clientID":"c","consumerDataSet":[{"groupName":"CG","subscriptionDataSet":[{"topic":"T","subString":"*"}]}]}',
      ),
    );
    expect(data.producerDataSet).toEqual([]);
    expect(data.consumerDataSet[0]).toMatchObject({ messageModel: 'CLUSTERING', unitMode: false });
    expect(data.consumerDataSet[0]!.subscriptionDataSet[0]).toMatchObject({
      expressionType: 'TAG',
      tagsSet: [],
      codeSet: [],
    });
  });

  it('round-trips', () => {
    const data: HeartbeatData = parseHeartbeatData(utf8(javaSample));
    expect(parseHeartbeatData(encodeHeartbeatData(data))).toEqual(data);
  });

  it.each([
    '',
    'not json',
    '[]',
    '{"producerDataSet":[]}',
    '{"clientID":"c","consumerDataSet":{}}',
    '{"clientID":"c","consumerDataSet":[{"groupName":"g","subscriptionDataSet":[{"topic":"t","codeSet":["x"]}]}]}',
  ])('rejects %s with BadRequestError', (text) => {
    expect(() => parseHeartbeatData(utf8(text))).toThrow(BadRequestError);
  });
});

describe('lock bodies', () => {
  const mq = { topic: 't', brokerName: 'b', queueId: 0 };

  it('round-trip and use fastjson-compatible MessageQueue JSON', () => {
    const body = { consumerGroup: 'CG', clientId: 'c', onlyThisBroker: false, mqSet: [mq] };
    const encoded = encodeLockBatchRequestBody(body);
    expect(encoded.toString()).toContain('{"brokerName":"b","queueId":0,"topic":"t"}');
    expect(parseLockBatchRequestBody(encoded)).toEqual(body);
    expect(parseUnlockBatchRequestBody(encoded)).toEqual(body);
    expect(parseLockBatchResponseBody(encodeLockBatchResponseBody({ lockOKMQSet: [mq] }))).toEqual({
      lockOKMQSet: [mq],
    });
    expect(parseLockBatchResponseBody(undefined)).toEqual({ lockOKMQSet: [] });
  });

  it('messageQueueKey matches the key parseFastJson gives a MessageQueue-keyed map', () => {
    const parsed = parseFastJson('{{"topic":"t","brokerName":"b","queueId":0}:1}') as Record<string, number>;
    expect(parsed[messageQueueKey(mq)]).toBe(1);
  });
});

describe('GetConsumerListByGroupResponseBody', () => {
  it('round-trips', () => {
    const body = { consumerIdList: ['10.0.0.1@1', '10.0.0.2@2'] };
    expect(encodeGetConsumerListByGroupResponseBody(body).toString()).toBe(
      '{"consumerIdList":["10.0.0.1@1","10.0.0.2@2"]}',
    );
    expect(parseGetConsumerListByGroupResponseBody(encodeGetConsumerListByGroupResponseBody(body))).toEqual(
      body,
    );
  });
});

describe('configs', () => {
  it('SubscriptionGroupConfig fills defaults and round-trips', () => {
    const parsed = parseSubscriptionGroupConfigBody(utf8('{"groupName":"g","retryMaxTimes":3}'));
    expect(parsed).toEqual({ ...defaultSubscriptionGroupConfig('g'), retryMaxTimes: 3 });
    expect(parseSubscriptionGroupConfigBody(encodeSubscriptionGroupConfig(parsed))).toEqual(parsed);
    expect(() => parseSubscriptionGroupConfigBody(utf8('{"consumeEnable":true}'))).toThrow(BadRequestError);
  });

  it('TopicConfig parses with Java defaults', () => {
    expect(parseTopicConfig({ topicName: 't', perm: 4 })).toEqual({
      topicName: 't',
      readQueueNums: 16,
      writeQueueNums: 16,
      perm: 4,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    });
  });
});
