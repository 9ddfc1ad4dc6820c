/**
 * The operations side of the broker's request table: the admin requests mqadmin and `rxrocket admin` send,
 * and the wrappers that feed the metrics (pull traffic) and consumerConnection (client versions) from the
 * consumer-facing processors without touching them.
 */
import { from, tap } from 'rxjs';
import type { Logger } from '../logger.js';
import { RecordLayout } from '../protocol/message-codec.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { RequestProcessor } from '../remoting/channel.js';
import type { BrokerConfig } from './config.js';
import type { BrokerMetrics } from './metrics/broker-metrics.js';
import type { ClientVersions } from './managers/client-versions.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import { createAdminStatsProcessors } from './processor/admin-stats.js';
import { createGroupAdminProcessors } from './processor/group-admin.js';
import { createMessageQueryProcessors } from './processor/message-query.js';
import { loggingRefusals } from './processor/refusal-log.js';
import { createRuntimeInfoProcessor } from './processor/runtime-info.js';
import type { MessageStore } from './store/message-store.js';

export interface OperationsDeps {
  readonly config: Pick<BrokerConfig, 'brokerName' | 'brokerRole' | 'flushDiskType'>;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly consumers: ConsumerManager;
  readonly store: Pick<
    MessageStore,
    | 'getMessage'
    | 'minOffsetInQueue'
    | 'maxOffsetInQueue'
    | 'offsetInQueueByTime'
    | 'queryMessage'
    | 'readRecord'
    | 'minPhysicalOffset'
    | 'maxPhysicalOffset'
    | 'dispatchBehindBytes'
  >;
  readonly metrics: BrokerMetrics;
  readonly clientVersions: ClientVersions;
  readonly diskUsedRatio: () => Promise<number>;
  readonly bootTimestamp: number;
  readonly now: () => number;
  readonly logger: Logger;
}

export function operationsProcessors(deps: OperationsDeps): ReadonlyMap<number, RequestProcessor> {
  const brokerName = deps.config.brokerName;
  return new Map([
    ...createAdminStatsProcessors({ ...deps, brokerName }),
    ...createGroupAdminProcessors({ ...deps, brokerName, logger: deps.logger.child({ component: 'admin' }) }),
    ...createMessageQueryProcessors(deps.store),
    [RequestCode.GET_BROKER_RUNTIME_INFO, createRuntimeInfoProcessor({ ...deps, totals: deps.metrics })],
  ]);
}

/**
 * The broker's request table with the operations requests added, pulls counted for the metrics,
 * heartbeats noting client versions and every refusal logged once.
 */
export function withOperations(
  base: ReadonlyMap<number, RequestProcessor>,
  deps: OperationsDeps,
): Map<number, RequestProcessor> {
  const processors = new Map(base);
  for (const [code, processor] of operationsProcessors(deps)) processors.set(code, processor);
  const pull = processors.get(RequestCode.PULL_MESSAGE);
  if (pull !== undefined) processors.set(RequestCode.PULL_MESSAGE, countingPulls(pull, deps.metrics));
  const heartbeat = processors.get(RequestCode.HEART_BEAT);
  if (heartbeat !== undefined) {
    processors.set(RequestCode.HEART_BEAT, recordingClientVersions(heartbeat, deps.clientVersions));
  }
  const refusals = deps.logger.child({ component: 'requests' });
  for (const [code, processor] of processors) processors.set(code, loggingRefusals(processor, refusals));
  return processors;
}

/** Records in a pull response body: each starts with its total size. */
function countRecords(body: Uint8Array): number {
  const view = Buffer.from(body.buffer, body.byteOffset, body.length);
  let count = 0;
  for (let at = 0; at + 4 <= view.length; count++) {
    const size = view.readInt32BE(at + RecordLayout.TOTAL_SIZE);
    if (size <= 0) break;
    at += size;
  }
  return count;
}

/** Counts the messages and bytes each found pull returns, per topic. */
export function countingPulls(processor: RequestProcessor, metrics: BrokerMetrics): RequestProcessor {
  return (request, channel) =>
    from(processor(request, channel)).pipe(
      tap((response) => {
        const body = response?.body;
        const topic = request.extFields?.topic;
        if (response?.code !== ResponseCode.SUCCESS || body === undefined || topic === undefined) return;
        metrics.recordPull(topic, countRecords(body), body.length);
      }),
    );
}

/** Notes each heartbeat's language and version before the heartbeat processor handles it. */
export function recordingClientVersions(
  processor: RequestProcessor,
  versions: ClientVersions,
): RequestProcessor {
  return (request, channel) => {
    versions.record(request, channel);
    return processor(request, channel);
  };
}
