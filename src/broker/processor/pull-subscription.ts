import { BadRequestError } from '../../protocol/bad-request-error.js';
import { Sql92SyntaxError, compileSql92 } from '../../protocol/filter/sql92.js';
import { parseTagExpression, tagsCodeMatches } from '../../protocol/filter/tag.js';
import { readDispatchInfo } from '../../protocol/message-codec.js';
import { propertyValue } from '../../protocol/properties.js';
import { type PullMessageRequestHeader, PullSysFlag, hasPullSysFlag } from '../../protocol/headers/pull.js';
import type { SubscriptionGroupConfig } from '../../protocol/headers/subscription-group.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';

const TAG = 'TAG';
const SQL92 = 'SQL92';

/**
 * How a pull is filtered while the store reads: by the ConsumeQueue's tag hash, and for SQL92 by the
 * record's properties (RocketMQ's ExpressionMessageFilter).
 */
export interface PullFilter {
  readonly matchesAll: boolean;
  matchesTagsCode(tagsCode: number): boolean;
  matchesRecord?(record: Buffer): boolean;
}

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
): PullFilter {
  if (hasPullSysFlag(header.sysFlag, PullSysFlag.SUBSCRIPTION)) {
    return filterOf(header.expressionType ?? TAG, header.subscription, enablePropertyFilter);
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
  return filterOf(data.expressionType, data.subString, enablePropertyFilter);
}

function filterOf(
  expressionType: string,
  expression: string | undefined,
  enablePropertyFilter: boolean,
): PullFilter {
  if (expressionType === TAG) {
    const tags = parseTagExpression(expression);
    return { matchesAll: tags.matchesAll, matchesTagsCode: (code) => tagsCodeMatches(tags, code) };
  }
  if (!enablePropertyFilter) {
    throw new BadRequestError(
      'The broker does not support consumer to filter message by SQL92',
      ResponseCode.SYSTEM_ERROR,
    );
  }
  if (expressionType !== SQL92) {
    throw new BadRequestError(
      `unknown expression type ${expressionType}`,
      ResponseCode.SUBSCRIPTION_PARSE_FAILED,
    );
  }
  let sql: ReturnType<typeof compileSql92>;
  try {
    sql = compileSql92(expression ?? '');
  } catch (error) {
    if (!(error instanceof Sql92SyntaxError)) throw error;
    throw new BadRequestError(
      `the consumer's subscription parse failed: ${error.message}`,
      ResponseCode.SUBSCRIPTION_PARSE_FAILED,
    );
  }
  return {
    matchesAll: false,
    matchesTagsCode: () => true,
    matchesRecord: (record) => {
      const text = readDispatchInfo(record, 0).propertiesText;
      return sql.evaluate((name) => propertyValue(text, name));
    },
  };
}
