/** Permission bits (RocketMQ's PermName), reserved topic names and name rules for TopicConfig. */
import type { TopicConfig } from '../../protocol/headers/topic-admin.js';

export const Perm = { PRIORITY: 0x8, READ: 0x4, WRITE: 0x2, INHERIT: 0x1 } as const;

export const isReadable = (perm: number): boolean => (perm & Perm.READ) !== 0;
export const isWriteable = (perm: number): boolean => (perm & Perm.WRITE) !== 0;
export const isInheritable = (perm: number): boolean => (perm & Perm.INHERIT) !== 0;

export function topicConfig(
  topicName: string,
  queueNums: number,
  perm: number = Perm.READ | Perm.WRITE,
): TopicConfig {
  return {
    topicName,
    readQueueNums: queueNums,
    writeQueueNums: queueNums,
    perm,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  };
}

/** Names RocketMQ reserves; users may not send to these directly. */
export const SystemTopic = {
  AUTO_CREATE: 'TBW102',
  SCHEDULE: 'SCHEDULE_TOPIC_XXXX',
  SELF_TEST: 'SELF_TEST_TOPIC',
  OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  TRANS_HALF: 'RMQ_SYS_TRANS_HALF_TOPIC',
  TRANS_OP_HALF: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  TRANS_CHECK_MAX_TIME: 'TRANS_CHECK_MAX_TIME_TOPIC',
} as const;

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';

const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([
  SystemTopic.SCHEDULE,
  SystemTopic.TRANS_HALF,
  SystemTopic.TRANS_OP_HALF,
  SystemTopic.TRANS_CHECK_MAX_TIME,
  SystemTopic.SELF_TEST,
  SystemTopic.OFFSET_MOVED_EVENT,
]);

export const isNotAllowedSendTopic = (topic: string): boolean => NOT_ALLOWED_SEND.has(topic);

const VALID_TOPIC = /^[%|a-zA-Z0-9_-]+$/;
export const TOPIC_MAX_LENGTH = 127;

/** RocketMQ's TopicValidator.validateTopic; returns why a name is refused, or undefined. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'the specified topic is blank';
  if (!VALID_TOPIC.test(topic)) return `the specified topic[${topic}] contains illegal characters`;
  if (topic.length > TOPIC_MAX_LENGTH)
    return `the specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}`;
  return undefined;
}
