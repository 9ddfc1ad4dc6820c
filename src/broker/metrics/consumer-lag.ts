import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import type { MessageStore } from '../store/message-store.js';

export interface ConsumerLagDeps {
  readonly offsets: Pick<ConsumerOffsetManager, 'toJson'>;
  readonly topics: Pick<TopicConfigManager, 'get'>;
  readonly store: Pick<MessageStore, 'maxOffsetInQueue'>;
}

export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}

/**
 * Per group and topic with committed offsets: the sum over the topic's readable queues of the broker's
 * max offset minus the committed one (a queue the group never committed on counts from 0).
 */
export function consumerLag(deps: ConsumerLagDeps): ConsumerLag[] {
  const result: ConsumerLag[] = [];
  for (const [key, queues] of Object.entries(deps.offsets.toJson().offsetTable)) {
    const at = key.lastIndexOf('@');
    const topic = key.slice(0, at);
    const group = key.slice(at + 1);
    const queueCount = deps.topics.get(topic)?.readQueueNums ?? 0;
    let lag = 0;
    for (let queueId = 0; queueId < queueCount; queueId++) {
      const committed = queues[String(queueId)] ?? 0;
      lag += Math.max(0, deps.store.maxOffsetInQueue(topic, queueId) - Math.max(0, committed));
    }
    result.push({ group, topic, lag });
  }
  return result;
}
