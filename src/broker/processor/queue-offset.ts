/**
 * Per-queue lookups consumers and admin tools make (AdminBrokerProcessor): GET_MAX_OFFSET (30),
 * GET_MIN_OFFSET (31), SEARCH_OFFSET_BY_TIMESTAMP (29) and GET_EARLIEST_MSG_STORETIME (32).
 */
import {
  decodeGetMaxOffsetRequestHeader,
  decodeSearchOffsetRequestHeader,
  encodeGetEarliestMsgStoretimeResponseHeader,
  encodeGetMaxOffsetResponseHeader,
} from '../../protocol/headers/queue-offset.js';
import { readDispatchInfo } from '../../protocol/message-codec.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

export type QueueOffsetStore = Pick<
  MessageStore,
  'minOffsetInQueue' | 'maxOffsetInQueue' | 'offsetInQueueByTime' | 'getMessage'
>;

/** RocketMQ's getEarliestMessageTime: the store time of the queue's oldest message, -1 when it has none. */
async function earliestStoreTime(store: QueueOffsetStore, topic: string, queueId: number): Promise<number> {
  const result = await store.getMessage(topic, queueId, {
    offset: store.minOffsetInQueue(topic, queueId),
    maxCount: 1,
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  const first = result.messages[0];
  return first === undefined ? -1 : readDispatchInfo(first, 0).storeTimestamp;
}

export function createQueueOffsetProcessors(store: QueueOffsetStore): ReadonlyMap<number, RequestProcessor> {
  const offsetResponse = guarded(async (request) => {
    const { topic, queueId } = decodeGetMaxOffsetRequestHeader(request.extFields);
    let offset: number;
    if (request.code === RequestCode.GET_MAX_OFFSET) offset = store.maxOffsetInQueue(topic, queueId);
    else if (request.code === RequestCode.GET_MIN_OFFSET) offset = store.minOffsetInQueue(topic, queueId);
    else {
      const { timestamp } = decodeSearchOffsetRequestHeader(request.extFields);
      offset = await store.offsetInQueueByTime(topic, queueId, timestamp);
    }
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeGetMaxOffsetResponseHeader({ offset }),
    });
  });
  const earliest = guarded(async (request) => {
    const { topic, queueId } = decodeGetMaxOffsetRequestHeader(request.extFields);
    const timestamp = await earliestStoreTime(store, topic, queueId);
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeGetEarliestMsgStoretimeResponseHeader({ timestamp }),
    });
  });
  return new Map([
    [RequestCode.GET_MAX_OFFSET, offsetResponse],
    [RequestCode.GET_MIN_OFFSET, offsetResponse],
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, offsetResponse],
    [RequestCode.GET_EARLIEST_MSG_STORETIME, earliest],
  ]);
}
