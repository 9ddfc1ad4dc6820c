/**
 * Consumer group requests: GET_CONSUMER_LIST_BY_GROUP (38), which every member asks before it rebalances,
 * and the admin pair UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200) and GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
 */
import {
  decodeGetConsumerListByGroupRequestHeader,
  encodeGetConsumerListByGroupResponseBody,
} from '../../protocol/headers/client.js';
import { parseSubscriptionGroupConfigBody } from '../../protocol/headers/subscription-group.js';
import { encodeJsonBody } from '../../protocol/json-body.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import { guarded } from './guarded.js';

export interface ConsumerGroupDeps {
  readonly consumers: Pick<ConsumerManager, 'clientIds'>;
  readonly groups: Pick<SubscriptionGroupManager, 'upsert' | 'toJson'>;
}

export function createConsumerGroupProcessors(
  deps: ConsumerGroupDeps,
): ReadonlyMap<number, RequestProcessor> {
  const consumerList = guarded((request) => {
    const { consumerGroup } = decodeGetConsumerListByGroupRequestHeader(request.extFields);
    const consumerIdList = deps.consumers.clientIds(consumerGroup);
    if (consumerIdList.length === 0) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `no consumer for this group, ${consumerGroup}`,
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, {
      body: encodeGetConsumerListByGroupResponseBody({ consumerIdList }),
    });
  });
  const updateAndCreate = guarded(async (request) => {
    await deps.groups.upsert(parseSubscriptionGroupConfigBody(request.body));
    return createResponse(request, ResponseCode.SUCCESS);
  });
  const getAll = guarded((request) =>
    createResponse(request, ResponseCode.SUCCESS, { body: encodeJsonBody(deps.groups.toJson()) }),
  );
  return new Map([
    [RequestCode.GET_CONSUMER_LIST_BY_GROUP, consumerList],
    [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, updateAndCreate],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, getAll],
  ]);
}
