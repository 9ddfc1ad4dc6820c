/**
 * What mqadmin's topicStatus, consumerProgress and consumerConnection ask a broker (AdminBrokerProcessor):
 * GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208) and GET_CONSUMER_CONNECTION_LIST (203).
 */
import {
  type ClientConnection,
  type OffsetWrapper,
  type TopicOffset,
  decodeGetConsumeStatsRequestHeader,
  decodeGetConsumerConnectionListRequestHeader,
  decodeGetTopicStatsInfoRequestHeader,
  encodeConsumeStats,
  encodeConsumerConnection,
  encodeTopicStatsTable,
} from '../../protocol/headers/admin-stats.js';
import type { MessageQueue } from '../../protocol/headers/lock.js';
import { readDispatchInfo } from '../../protocol/message-codec.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { ClientVersions } from '../managers/client-versions.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

export interface AdminStatsDeps {
  readonly brokerName: string;
  readonly topics: Pick<TopicConfigManager, 'get'>;
  readonly offsets: Pick<ConsumerOffsetManager, 'queryOffset' | 'topicsOf'>;
  readonly consumers: Pick<ConsumerManager, 'group'>;
  readonly clientVersions: Pick<ClientVersions, 'of'>;
  readonly store: Pick<MessageStore, 'minOffsetInQueue' | 'maxOffsetInQueue' | 'getMessage'>;
}

/** RocketMQ's getMessageStoreTimeStamp: the store time of the message at `offset`, 0 when there is none. */
export async function storeTimeAt(
  store: AdminStatsDeps['store'],
  topic: string,
  queueId: number,
  offset: number,
): Promise<number> {
  if (offset < 0) return 0;
  const result = await store.getMessage(topic, queueId, {
    offset,
    maxCount: 1,
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  const first = result.messages[0];
  return first === undefined ? 0 : readDispatchInfo(first, 0).storeTimestamp;
}

export function createAdminStatsProcessors(deps: AdminStatsDeps): ReadonlyMap<number, RequestProcessor> {
  const queue = (topic: string, queueId: number): MessageQueue => ({
    topic,
    brokerName: deps.brokerName,
    queueId,
  });

  const topicStats = guarded(async (request) => {
    const { topic } = decodeGetTopicStatsInfoRequestHeader(request.extFields);
    const config = deps.topics.get(topic);
    if (config === undefined) {
      return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, { remark: `topic[${topic}] not exist` });
    }
    const offsetTable: [MessageQueue, TopicOffset][] = [];
    for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
      const maxOffset = deps.store.maxOffsetInQueue(topic, queueId);
      offsetTable.push([
        queue(topic, queueId),
        {
          minOffset: Math.max(0, deps.store.minOffsetInQueue(topic, queueId)),
          maxOffset,
          lastUpdateTimestamp:
            maxOffset > 0 ? await storeTimeAt(deps.store, topic, queueId, maxOffset - 1) : 0,
        },
      ]);
    }
    return createResponse(request, ResponseCode.SUCCESS, { body: encodeTopicStatsTable({ offsetTable }) });
  });

  const consumeStats = guarded(async (request) => {
    const header = decodeGetConsumeStatsRequestHeader(request.extFields);
    const group = header.consumerGroup;
    const topicNames =
      header.topic === undefined || header.topic === '' ? deps.offsets.topicsOf(group) : [header.topic];
    const offsetTable: [MessageQueue, OffsetWrapper][] = [];
    for (const topic of topicNames.sort()) {
      const config = deps.topics.get(topic);
      if (config === undefined) continue;
      for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
        const consumerOffset = Math.max(0, deps.offsets.queryOffset(group, topic, queueId));
        offsetTable.push([
          queue(topic, queueId),
          {
            brokerOffset: Math.max(0, deps.store.maxOffsetInQueue(topic, queueId)),
            consumerOffset,
            lastTimestamp:
              consumerOffset > 0 ? await storeTimeAt(deps.store, topic, queueId, consumerOffset - 1) : 0,
          },
        ]);
      }
    }
    return createResponse(request, ResponseCode.SUCCESS, {
      body: encodeConsumeStats({ offsetTable, consumeTps: 0 }),
    });
  });

  const connectionList = guarded((request) => {
    const { consumerGroup } = decodeGetConsumerConnectionListRequestHeader(request.extFields);
    const info = deps.consumers.group(consumerGroup);
    if (info === undefined || info.connections.size === 0) {
      return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, {
        remark: `the consumer group[${consumerGroup}] not online`,
      });
    }
    const connectionSet: ClientConnection[] = [...info.connections.values()].map((c) => {
      const version = deps.clientVersions.of(c.channel.id);
      return {
        clientId: c.clientId,
        clientAddr: c.channel.remoteAddress,
        language: version?.language ?? 'OTHER',
        version: version?.version ?? 0,
      };
    });
    return createResponse(request, ResponseCode.SUCCESS, {
      body: encodeConsumerConnection({
        connectionSet,
        subscriptionTable: Object.fromEntries(info.subscriptions),
        consumeType: info.consumeType,
        messageModel: info.messageModel,
        consumeFromWhere: info.consumeFromWhere,
      }),
    });
  });

  return new Map([
    [RequestCode.GET_TOPIC_STATS_INFO, topicStats],
    [RequestCode.GET_CONSUME_STATS, consumeStats],
    [RequestCode.GET_CONSUMER_CONNECTION_LIST, connectionList],
  ]);
}
