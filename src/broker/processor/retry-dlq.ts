import { Perm } from '../managers/topic-config.js';
import { DLQ_GROUP_TOPIC_PREFIX, RETRY_GROUP_TOPIC_PREFIX } from '../managers/topic-config.js';

/** RocketMQ's default retryMaxTimes for a subscription group, and the DLQ's single queue. */
export const DEFAULT_MAX_RECONSUME_TIMES = 16;
export const DLQ_QUEUE_NUMS = 1;
export const DLQ_PERM = Perm.READ | Perm.WRITE;
export const RETRY_PERM = Perm.READ | Perm.WRITE;

export const retryTopicOf = (group: string): string => `${RETRY_GROUP_TOPIC_PREFIX}${group}`;
export const dlqTopicOf = (group: string): string => `${DLQ_GROUP_TOPIC_PREFIX}${group}`;
export const isRetryTopic = (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);

/**
 * A message resent to %RETRY%group whose reconsume count reached the limit goes to %DLQ%group instead
 * (RocketMQ's handleRetryAndDLQ). Returns the DLQ topic to divert to, or undefined to keep the retry topic.
 */
export function dlqDiversion(
  topic: string,
  reconsumeTimes: number,
  maxReconsumeTimes: number,
): string | undefined {
  if (!isRetryTopic(topic)) return undefined;
  if (reconsumeTimes < maxReconsumeTimes) return undefined;
  return dlqTopicOf(topic.slice(RETRY_GROUP_TOPIC_PREFIX.length));
}
