/**
 * QUERY_CONSUMER_OFFSET (14) and UPDATE_CONSUMER_OFFSET (15): RocketMQ's ConsumerManageProcessor. Commits go
 * to the in-memory table, which the broker writes to consumerOffset.json every 5 s and at shutdown.
 */
import {
  decodeQueryConsumerOffsetRequestHeader,
  decodeUpdateConsumerOffsetRequestHeader,
  encodeQueryConsumerOffsetResponseHeader,
} from '../../protocol/headers/consumer-offset.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

export interface ConsumerOffsetDeps {
  readonly offsets: Pick<ConsumerOffsetManager, 'queryOffset' | 'commitOffset'>;
  readonly store: Pick<MessageStore, 'minOffsetInQueue'>;
}

export function createConsumerOffsetProcessors(
  deps: ConsumerOffsetDeps,
): ReadonlyMap<number, RequestProcessor> {
  const query = guarded((request) => {
    const header = decodeQueryConsumerOffsetRequestHeader(request.extFields);
    const committed = deps.offsets.queryOffset(header.consumerGroup, header.topic, header.queueId);
    // A group new to a queue that still holds its first message starts at 0; past that, the client's
    // consumeFromWhere decides, which QUERY_NOT_FOUND tells it to apply.
    const offset =
      committed >= 0 ? committed : deps.store.minOffsetInQueue(header.topic, header.queueId) <= 0 ? 0 : -1;
    if (offset < 0) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        remark: 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first',
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, {
      extFields: encodeQueryConsumerOffsetResponseHeader({ offset }),
    });
  });
  const update = guarded((request) => {
    const header = decodeUpdateConsumerOffsetRequestHeader(request.extFields);
    deps.offsets.commitOffset(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
    return createResponse(request, ResponseCode.SUCCESS);
  });
  return new Map([
    [RequestCode.QUERY_CONSUMER_OFFSET, query],
    [RequestCode.UPDATE_CONSUMER_OFFSET, update],
  ]);
}
