import { type Observable, map, switchMap, tap, throwError } from 'rxjs';
import { MQClientError } from '../errors.js';
import { parseTagExpression } from '../protocol/filter/tag.js';
import { buildPullSysFlag } from '../protocol/headers/pull.js';
import type { MessageExt } from '../protocol/message.js';
import type { ConsumerApi } from './consumer-api.js';
import { recheckTags } from './consumer-message.js';
import type { RouteLookup } from './consumer-ports.js';
import type { PullRequest, PullResult } from './pull-loop.js';
import { anyBrokerAddress, brokerAddress } from './topic-route.js';

/** DefaultMQPushConsumer's pullBatchSize, and the long-polling times of RocketMQ's push consumer. */
export const PULL_BATCH_SIZE = 32;
export const BROKER_SUSPEND_MAX_TIME_MS = 15_000;
export const PULL_TIMEOUT_WHEN_SUSPEND_MS = 30_000;

export interface PullPortOptions {
  readonly group: string;
  /** 'TagA || TagB', '*', or an SQL92 expression with expressionType SQL92. */
  readonly expression: string;
  readonly expressionType?: 'TAG' | 'SQL92';
  /** SubscriptionData.subVersion: when the subscription was made; the broker rejects a pull older than its own. */
  readonly subVersion: number;
  /** BROADCASTING keeps offsets locally, so it never lets a pull commit one on the broker. */
  readonly broadcasting?: boolean;
  readonly batchSize?: number;
  /** How long the broker may park a pull that finds nothing (brokerSuspendMaxTimeMillis, 15 s). */
  readonly suspendTimeoutMs?: number;
  /** How long to wait for the answer to a parked pull; must outlast the suspend time (30 s). */
  readonly pullTimeoutMs?: number;
}

/**
 * The pull loop's port over PULL_MESSAGE: long polling on the queue's broker, the subscription sent with every
 * pull (so the broker filters even before our heartbeat registered it), and tags re-checked here because the
 * broker matched only their hashes.
 */
export function createPullPort(
  api: ConsumerApi,
  routes: RouteLookup,
  options: PullPortOptions,
): (request: PullRequest) => Observable<PullResult<MessageExt>> {
  const expressionType = options.expressionType ?? 'TAG';
  const tags = expressionType === 'TAG' ? parseTagExpression(options.expression) : undefined;
  // RocketMQ's pullFromWhichNodeTable: each queue's next pull goes where the broker's last answer suggested.
  const suggested = new Map<string, number>();
  const keyOf = (request: PullRequest): string =>
    `${request.queue.topic}@${request.queue.brokerName}@${request.queue.queueId}`;
  return (request) =>
    routes(request.queue.topic).pipe(
      switchMap((route) => {
        const brokerId = suggested.get(keyOf(request));
        const address =
          (brokerId === undefined
            ? undefined
            : brokerAddress(route, request.queue.brokerName, String(brokerId))) ??
          anyBrokerAddress(route, request.queue.brokerName);
        if (address === undefined)
          return throwError(
            () =>
              new MQClientError('ERR_BROKER_NOT_FOUND', `no broker ${request.queue.brokerName}`, -1, {
                retriable: true,
              }),
          );
        const commit = options.broadcasting !== true && request.commitOffset > 0;
        return api.pull$(
          address,
          {
            consumerGroup: options.group,
            topic: request.queue.topic,
            queueId: request.queue.queueId,
            queueOffset: request.queueOffset,
            maxMsgNums: options.batchSize ?? PULL_BATCH_SIZE,
            sysFlag: buildPullSysFlag({ commitOffset: commit, suspend: true, subscription: true }),
            commitOffset: commit ? request.commitOffset : 0,
            suspendTimeoutMillis: options.suspendTimeoutMs ?? BROKER_SUSPEND_MAX_TIME_MS,
            subscription: tags?.subString ?? options.expression,
            subVersion: options.subVersion,
            expressionType,
          },
          options.pullTimeoutMs ?? PULL_TIMEOUT_WHEN_SUSPEND_MS,
        );
      }),
      tap((result) => {
        if (result.suggestWhichBrokerId !== undefined)
          suggested.set(keyOf(request), result.suggestWhichBrokerId);
      }),
      map((result) =>
        tags === undefined || result.status !== 'FOUND'
          ? result
          : { ...result, messages: recheckTags(result.messages, tags) },
      ),
    );
}
