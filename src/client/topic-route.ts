import type { TopicRouteData } from '../protocol/headers/namesrv-bodies.js';
import type { MessageQueue } from './queue-selector.js';

const PERM_READ = 0x4;
const PERM_WRITE = 0x2;
export const MASTER_ID = '0';

export interface TopicPublishInfo {
  readonly topic: string;
  readonly orderTopic: boolean;
  /** Writable queues of brokers whose master is known, in RocketMQ's order. */
  readonly queues: readonly MessageQueue[];
  readonly route: TopicRouteData;
}

const byBrokerName = (a: { brokerName: string }, b: { brokerName: string }): number =>
  a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0;

/**
 * RocketMQ's topicRouteData2TopicPublishInfo. With an orderTopicConf ("b1:4;b2:4") the queues come from it;
 * otherwise from each writable QueueData whose broker has a live master.
 */
export function toPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const queues: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const part of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = part.split(':');
      if (!brokerName || nums === undefined) continue;
      for (let queueId = 0; queueId < Number(nums); queueId++) queues.push({ topic, brokerName, queueId });
    }
    return { topic, orderTopic: true, queues, route };
  }
  for (const qd of [...route.queueDatas].sort(byBrokerName)) {
    if ((qd.perm & PERM_WRITE) === 0) continue;
    const broker = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (broker?.brokerAddrs[MASTER_ID] === undefined) continue;
    for (let queueId = 0; queueId < qd.writeQueueNums; queueId++)
      queues.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return { topic, orderTopic: false, queues, route };
}

/** RocketMQ's topicRouteData2TopicSubscribeInfo: readable queues, whatever the master's state. */
export function toSubscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if ((qd.perm & PERM_READ) === 0) continue;
    for (let queueId = 0; queueId < qd.readQueueNums; queueId++)
      queues.push({ topic, brokerName: qd.brokerName, queueId });
  }
  return queues;
}

/** The master's address, else (for reads) any slave's. */
export function brokerAddress(
  route: TopicRouteData,
  brokerName: string,
  brokerId = MASTER_ID,
): string | undefined {
  const broker = route.brokerDatas.find((b) => b.brokerName === brokerName);
  if (broker === undefined) return undefined;
  return broker.brokerAddrs[brokerId];
}

export function anyBrokerAddress(route: TopicRouteData, brokerName: string): string | undefined {
  const broker = route.brokerDatas.find((b) => b.brokerName === brokerName);
  if (broker === undefined) return undefined;
  return broker.brokerAddrs[MASTER_ID] ?? Object.values(broker.brokerAddrs)[0];
}
