import type { TopicConfigSerializeWrapper } from '../../../../src/protocol/headers/register-broker-body.js';
import type { TopicConfig } from '../../../../src/protocol/headers/topic-admin.js';
import type { RegisterBrokerInput } from '../../../../src/broker/namesrv/route-types.js';

export const topic = (topicName: string, queues = 4, perm = 6): TopicConfig => ({
  topicName,
  readQueueNums: queues,
  writeQueueNums: queues,
  perm,
  topicFilterType: 'SINGLE_TAG',
  topicSysFlag: 0,
  order: false,
});

export const wrapper = (
  topics: TopicConfig[],
  counter = 1,
  timestamp = 1_000,
): TopicConfigSerializeWrapper => ({
  topicConfigTable: Object.fromEntries(topics.map((t) => [t.topicName, t])),
  dataVersion: { timestamp, counter },
});

export const master = (over: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput => ({
  clusterName: 'DefaultCluster',
  brokerAddr: '10.0.0.1:10911',
  brokerName: 'broker-a',
  brokerId: 0,
  haServerAddr: '10.0.0.1:10912',
  topicConfigWrapper: wrapper([topic('TopicTest')]),
  ...over,
});

export const slave = (over: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput =>
  master({
    brokerAddr: '10.0.0.2:10911',
    brokerId: 1,
    haServerAddr: '10.0.0.2:10912',
    ...over,
  });
