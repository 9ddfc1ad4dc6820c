import { BadRequestError } from '../../protocol/bad-request-error.js';
import type { TagSubscription } from '../../protocol/filter/tag.js';
import { parseTagExpression } from '../../protocol/filter/tag.js';
import { type PullMessageRequestHeader, PullSysFlag, hasPullSysFlag } from '../../protocol/headers/pull.js';
import type { SubscriptionGroupConfig } from '../../protocol/headers/subscription-group.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';

const TAG = 'TAG';

/**
 * The subscription a pull is filtered by (PullMessageProcessor's first half): the one the pull carries when
 * its SUBSCRIPTION flag is set (a consumer's first pull, before its heartbeat may have arrived), otherwise the
 * one the group's heartbeat registered, which must be at least as new as the pull's subVersion. Throws
 * BadRequestError with RocketMQ's response code when there is none to use.
 */
export function pullSubscription(
  header: PullMessageRequestHeader,
  group: SubscriptionGroupConfig,
  consumers: Pick<ConsumerManager, 'group'>,
  enablePropertyFilter: boolean,
): TagSubscription {
  if (hasPullSysFlag(header.sysFlag, PullSysFlag.SUBSCRIPTION)) {
    return tagsOnly(header.expressionType ?? TAG, header.subscription, enablePropertyFilter);
  }
  const info = consumers.group(header.consumerGroup);
  if (info === undefined) {
    throw new BadRequestError(
      `the consumer's group info not exist, ${header.consumerGroup}`,
      ResponseCode.SUBSCRIPTION_NOT_EXIST,
    );
  }
  if (!group.consumeBroadcastEnable && info.messageModel === 'BROADCASTING') {
    throw new BadRequestError(
      `the consumer group[${header.consumerGroup}] can not consume by broadcast way`,
      ResponseCode.NO_PERMISSION,
    );
  }
  const data = info.subscriptions.get(header.topic);
  if (data === undefined) {
    throw new BadRequestError(
      `the consumer's subscription not exist, ${header.topic}`,
      ResponseCode.SUBSCRIPTION_NOT_EXIST,
    );
  }
  if (data.subVersion < header.subVersion) {
    throw new BadRequestError(
      `the consumer's subscription not latest, ${data.subString}`,
      ResponseCode.SUBSCRIPTION_NOT_LATEST,
    );
  }
  return tagsOnly(data.expressionType, data.subString, enablePropertyFilter);
}

function tagsOnly(
  expressionType: string,
  expression: string | undefined,
  enablePropertyFilter: boolean,
): TagSubscription {
  if (expressionType === TAG) return parseTagExpression(expression);
  if (!enablePropertyFilter) {
    throw new BadRequestError(
      'The broker does not support consumer to filter message by SQL92',
      ResponseCode.SYSTEM_ERROR,
    );
  }
  // SQL92 evaluation is not wired into pulls yet; refusing beats delivering messages the filter would drop.
  throw new BadRequestError(
    `expression type ${expressionType} is not supported by this broker yet`,
    ResponseCode.SUBSCRIPTION_PARSE_FAILED,
  );
}
