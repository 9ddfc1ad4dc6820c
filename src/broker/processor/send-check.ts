import { ResponseCode } from '../../protocol/response-code.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import type { TopicConfig } from '../../protocol/headers/topic-admin.js';
import { Perm, isNotAllowedSendTopic, isWriteable, topicNameProblem } from '../managers/topic-config.js';
import { isRetryTopic } from './retry-dlq.js';

export interface SendCheckFailure {
  readonly code: number;
  readonly remark: string;
}

export interface SendCheckInput {
  readonly topic: string;
  readonly defaultTopic: string;
  readonly defaultTopicQueueNums: number;
  readonly queueId: number;
  readonly topicSysFlag: number;
  readonly brokerPermission: number;
  readonly brokerName: string;
  readonly producerGroup: string;
}

/**
 * RocketMQ's AbstractSendMessageProcessor.msgCheck: broker writable, topic name valid and not reserved, topic
 * known (or auto-created from the default topic; a %RETRY% topic is created with one queue even when
 * auto-creation is off, as consumers resend there), queue id in range. Returns the topic config or why not.
 */
export async function checkSend(
  topics: TopicConfigManager,
  input: SendCheckInput,
): Promise<TopicConfig | SendCheckFailure> {
  if (!isWriteable(input.brokerPermission)) {
    return {
      code: ResponseCode.NO_PERMISSION,
      remark: `the broker[${input.brokerName}] sending message is forbidden`,
    };
  }
  const problem = topicNameProblem(input.topic);
  if (problem !== undefined) return { code: ResponseCode.SYSTEM_ERROR, remark: problem };
  if (isNotAllowedSendTopic(input.topic)) {
    return {
      code: ResponseCode.NO_PERMISSION,
      remark: `Sending message to topic[${input.topic}] is forbidden.`,
    };
  }
  const config =
    topics.get(input.topic) ??
    (await topics.createInSendMessage(
      input.topic,
      input.defaultTopic,
      input.defaultTopicQueueNums,
      input.topicSysFlag,
    )) ??
    (isRetryTopic(input.topic)
      ? await topics.ensure(input.topic, 1, Perm.READ | Perm.WRITE, input.topicSysFlag)
      : undefined);
  if (config === undefined) {
    return {
      code: ResponseCode.TOPIC_NOT_EXIST,
      remark: `topic[${input.topic}] not exist, apply first please!`,
    };
  }
  if (!isWriteable(config.perm)) {
    return {
      code: ResponseCode.NO_PERMISSION,
      remark: `the topic[${input.topic}] sending message is forbidden`,
    };
  }
  const queueNums = Math.max(config.writeQueueNums, config.readQueueNums);
  if (input.queueId >= queueNums) {
    return {
      code: ResponseCode.SYSTEM_ERROR,
      remark: `request queueId[${input.queueId}] is illegal, topic[${input.topic}] has ${queueNums} queues, producer: ${input.producerGroup}`,
    };
  }
  return config;
}

export const isCheckFailure = (v: TopicConfig | SendCheckFailure): v is SendCheckFailure => 'code' in v;
