/**
 * Consumer group administration beyond create: DELETE_SUBSCRIPTIONGROUP (207), and
 * INVOKE_BROKER_TO_RESET_OFFSET (222), which moves a group's offsets on a topic to the first message stored
 * at or after a time (RocketMQ's Broker2Client.resetOffset).
 *
 * Java only tells the online members (RESET_CONSUMER_CLIENT_OFFSET) and answers CONSUMER_NOT_ONLINE when
 * there are none, so mqadmin falls back to writing offsets one queue at a time. Here the broker also
 * commits the new offsets itself: one request does it for an offline group too, and online members are
 * still told, so they do not commit their old position back.
 */
import {
  decodeResetOffsetRequestHeader,
  encodeResetOffsetBody,
  encodeResetOffsetRequestHeader,
} from '../../protocol/headers/admin-stats.js';
import type { MessageQueue } from '../../protocol/headers/lock.js';
import { decodeDeleteSubscriptionGroupRequestHeader } from '../../protocol/headers/subscription-group.js';
import { createRequest, createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { Logger } from '../../logger.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

export interface GroupAdminDeps {
  readonly brokerName: string;
  readonly topics: Pick<TopicConfigManager, 'get'>;
  readonly groups: Pick<SubscriptionGroupManager, 'delete'>;
  readonly offsets: Pick<ConsumerOffsetManager, 'queryOffset' | 'commitOffset' | 'removeGroup'>;
  readonly consumers: Pick<ConsumerManager, 'group'>;
  readonly store: Pick<MessageStore, 'maxOffsetInQueue' | 'offsetInQueueByTime'>;
  readonly logger: Logger;
}

export function createGroupAdminProcessors(deps: GroupAdminDeps): ReadonlyMap<number, RequestProcessor> {
  const deleteGroup = guarded(async (request) => {
    const { groupName, removeOffset } = decodeDeleteSubscriptionGroupRequestHeader(request.extFields);
    await deps.groups.delete(groupName);
    if (removeOffset) deps.offsets.removeGroup(groupName);
    return createResponse(request, ResponseCode.SUCCESS);
  });

  const resetOffset = guarded(async (request) => {
    const header = decodeResetOffsetRequestHeader(request.extFields);
    const { topic, group, timestamp, isForce } = header;
    const config = deps.topics.get(topic);
    if (config === undefined) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `[reset-offset] reset offset failed, no topic in this broker. topic=${topic}`,
      });
    }
    const committed = Array.from({ length: config.writeQueueNums }, (_, queueId) =>
      deps.offsets.queryOffset(group, topic, queueId),
    );
    if (committed.every((offset) => offset < 0)) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `THe consumer group <${group}> not exist`,
      });
    }
    const offsetTable: [MessageQueue, number][] = [];
    for (const [queueId, consumerOffset] of committed.entries()) {
      const atTime =
        timestamp === -1
          ? deps.store.maxOffsetInQueue(topic, queueId)
          : await deps.store.offsetInQueueByTime(topic, queueId, timestamp);
      const target = Math.max(0, atTime);
      const offset = isForce || consumerOffset < 0 || target < consumerOffset ? target : consumerOffset;
      deps.offsets.commitOffset(group, topic, queueId, offset);
      offsetTable.push([{ topic, brokerName: deps.brokerName, queueId }, offset]);
    }
    const body = encodeResetOffsetBody({ offsetTable });
    for (const member of deps.consumers.group(group)?.connections.values() ?? []) {
      member.channel.oneway(
        createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, {
          extFields: encodeResetOffsetRequestHeader(header),
          body,
        }),
      );
    }
    deps.logger.info({ group, topic, timestamp, isForce }, 'consumer offsets reset');
    return createResponse(request, ResponseCode.SUCCESS, { body });
  });

  return new Map([
    [RequestCode.DELETE_SUBSCRIPTIONGROUP, deleteGroup],
    [RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, resetOffset],
  ]);
}
