import { isIPv4 } from 'node:net';
import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import { createUniqKeyGenerator } from '../protocol/msg-id.js';
import type { RequestProcessor } from '../remoting/channel.js';
import { type BrokerProcessorDeps, brokerProcessors } from './broker-processors.js';
import { createReplicationProcessors } from './ha/replication-processors.js';
import { ClientVersions } from './managers/client-versions.js';
import { initialDataVersion } from './managers/data-version.js';
import type { RebalanceLockManager } from './managers/rebalance-lock-manager.js';
import type { BrokerMetrics } from './metrics/broker-metrics.js';
import { withOperations } from './operations-processors.js';
import type { MessageStore } from './store/message-store.js';
import type { TransactionLedger } from './transaction/transaction-ledger.js';

export interface RequestProcessorsDeps extends Pick<
  BrokerProcessorDeps,
  'config' | 'storeHost' | 'topics' | 'groups' | 'offsets' | 'producers' | 'consumers' | 'put' | 'registered'
> {
  readonly store: MessageStore;
  readonly transactions: TransactionLedger;
  readonly locks: RebalanceLockManager;
  readonly metrics: BrokerMetrics;
  readonly diskUsedRatio: () => Promise<number>;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

/** Every request the client ports answer, by request code: clients', operations' and a slave's. */
export function requestProcessors(deps: RequestProcessorsDeps): Map<number, RequestProcessor> {
  const { config, store, metrics, scheduler } = deps;
  const baseProcessors = brokerProcessors({
    config,
    configVersion: initialDataVersion(scheduler.now()),
    storeHost: deps.storeHost,
    topics: deps.topics,
    groups: deps.groups,
    offsets: deps.offsets,
    producers: deps.producers,
    consumers: deps.consumers,
    store,
    put: deps.put,
    transactions: deps.transactions,
    deleteQueues: (topic) => store.deleteTopic(topic),
    registered: deps.registered,
    nextUniqKey: createUniqKeyGenerator(
      isIPv4(config.brokerIP1) ? { ip: Buffer.from(config.brokerIP1.split('.').map(Number)) } : {},
    ),
    now: () => scheduler.now(),
    locks: deps.locks,
    logger: deps.logger,
    scheduler,
    parking: metrics.parking,
  });
  const processors = withOperations(baseProcessors, {
    config,
    topics: deps.topics,
    groups: deps.groups,
    offsets: deps.offsets,
    consumers: deps.consumers,
    store,
    metrics,
    clientVersions: new ClientVersions(),
    diskUsedRatio: deps.diskUsedRatio,
    bootTimestamp: scheduler.now(),
    now: () => scheduler.now(),
    logger: deps.logger,
  });
  const replication = createReplicationProcessors({
    offsets: deps.offsets,
    storePathRootDir: config.storePathRootDir,
  });
  return new Map([...processors, ...replication]);
}
