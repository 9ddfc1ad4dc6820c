/**
 * CONSUMER_SEND_MSG_BACK (36): RocketMQ's consumerSendMsgBack. A consumer that failed a message hands back
 * its CommitLog offset; the broker re-stores the record on %RETRY%group once a delay level has passed
 * (3 + delivery count unless the consumer asked for a level; delivery count + 1, original topic and message
 * id kept in properties) or, once the count reaches the group's limit or the consumer asks for it with a
 * negative delay level, on %DLQ%group.
 */
import type { Logger } from '../../logger.js';
import { BadRequestError } from '../../protocol/bad-request-error.js';
import { decodeConsumerSendMsgBackRequestHeader } from '../../protocol/headers/send-back.js';
import { javaStringHashCode } from '../../protocol/java-hash.js';
import { decodeRecord } from '../../protocol/message-codec.js';
import type { HostAddress, MessageRecordInput } from '../../protocol/message.js';
import { MessageProperty, encodeProperties } from '../../protocol/properties.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { BrokerConfig } from '../config.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { Perm, isWriteable } from '../managers/topic-config.js';
import type { MessageStore, PutOptions, PutResult } from '../store/message-store.js';
import { guarded } from './guarded.js';
import { DLQ_QUEUE_NUMS, RETRY_PERM, dlqTopicOf, retryTopicOf } from './retry-dlq.js';

export interface SendBackDeps {
  readonly config: Pick<BrokerConfig, 'brokerIP1' | 'brokerPermission'>;
  readonly storeHost: HostAddress;
  readonly topics: Pick<TopicConfigManager, 'ensure'>;
  readonly groups: Pick<SubscriptionGroupManager, 'findOrCreate'>;
  readonly store: Pick<MessageStore, 'readRecord'>;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly logger: Logger;
}

/** MQVersion.V3_4_9: from this client version on, the header carries the consumer's own maxReconsumeTimes. */
const V3_4_9 = 121;
/** RocketMQ's first retry waits level 3 (10 s); each further one waits a level longer. */
const FIRST_RETRY_DELAY_LEVEL = 3;
/** The DLQ is for people, not consumers: RocketMQ creates it writable only. */
const DLQ_CREATED_PERM = Perm.WRITE;

const pick = (queueNums: number): number => Math.floor(Math.random() * queueNums);

export function createSendBackProcessor(deps: SendBackDeps): RequestProcessor {
  return guarded(async (request) => {
    const header = decodeConsumerSendMsgBackRequestHeader(request.extFields);
    const group = await deps.groups.findOrCreate(header.group);
    if (group === undefined) {
      throw new BadRequestError(
        `subscription group not exist, ${header.group}`,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      );
    }
    if (!isWriteable(deps.config.brokerPermission)) {
      throw new BadRequestError(
        `the broker[${deps.config.brokerIP1}] sending message is forbidden`,
        ResponseCode.NO_PERMISSION,
      );
    }
    // A group without retry queues drops failed messages, as RocketMQ does.
    if (group.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS);
    const retry = await deps.topics.ensure(retryTopicOf(header.group), group.retryQueueNums, RETRY_PERM);
    if (!isWriteable(retry.perm)) {
      throw new BadRequestError(
        `the topic[${retry.topicName}] sending message is forbidden`,
        ResponseCode.NO_PERMISSION,
      );
    }
    const record = await deps.store.readRecord(header.offset);
    if (record === undefined) {
      throw new BadRequestError(`look message by offset failed, ${header.offset}`, ResponseCode.SYSTEM_ERROR);
    }
    const original = decodeRecord(record);
    const properties = new Map(original.properties);
    if (!properties.has(MessageProperty.RETRY_TOPIC))
      properties.set(MessageProperty.RETRY_TOPIC, original.topic);
    properties.set(MessageProperty.WAIT, 'false');
    if (!properties.has(MessageProperty.ORIGIN_MESSAGE_ID)) {
      properties.set(MessageProperty.ORIGIN_MESSAGE_ID, header.originMsgId ?? original.msgId);
    }
    const maxReconsumeTimes =
      request.version >= V3_4_9 && header.maxReconsumeTimes !== undefined
        ? header.maxReconsumeTimes
        : group.retryMaxTimes;
    let topic = retry.topicName;
    let queueId = pick(retry.writeQueueNums);
    if (original.reconsumeTimes >= maxReconsumeTimes || header.delayLevel < 0) {
      topic = dlqTopicOf(header.group);
      queueId = pick(DLQ_QUEUE_NUMS);
      await deps.topics.ensure(topic, DLQ_QUEUE_NUMS, DLQ_CREATED_PERM);
      properties.delete(MessageProperty.DELAY);
      deps.logger.info(
        { group: header.group, topic, reconsumeTimes: original.reconsumeTimes },
        'sent to the DLQ',
      );
    } else {
      const level =
        header.delayLevel === 0 ? FIRST_RETRY_DELAY_LEVEL + original.reconsumeTimes : header.delayLevel;
      // The broker's put sends it to SCHEDULE_TOPIC_XXXX; it reaches the retry topic once the level has passed.
      properties.set(MessageProperty.DELAY, String(level));
    }
    const tags = properties.get(MessageProperty.TAGS);
    const result = await deps.put(
      [
        {
          topic,
          queueId,
          flag: original.flag,
          body: original.body,
          properties: encodeProperties(properties),
          sysFlag: original.sysFlag,
          bornTimestamp: original.bornTimestamp,
          bornHost: original.bornHost,
          storeHost: deps.storeHost,
          reconsumeTimes: original.reconsumeTimes + 1,
          preparedTransactionOffset: 0,
          tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
        },
      ],
      { waitStoreMsgOK: false },
    );
    return result.status === 'PUT_OK'
      ? createResponse(request, ResponseCode.SUCCESS)
      : createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: result.status });
  });
}
