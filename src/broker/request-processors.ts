import { isIPv4 } from 'node:net';
import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../logger.js';
import type { HostAddress } from '../protocol/message.js';
import { createUniqKeyGenerator } from '../protocol/msg-id.js';
import type { RequestProcessor } from '../remoting/channel.js';
import { type BrokerProcessorDeps, brokerProcessors } from './broker-processors.js';
import type { BrokerConfig } from './config.js';
import { createReplicationProcessors } from './ha/replication-processors.js';
import { ClientVersions } from './managers/client-versions.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import { initialDataVersion } from './managers/data-version.js';
import type { ProducerManager } from './managers/producer-manager.js';
import type { RebalanceLockManager } from './managers/rebalance-lock-manager.js';
import type { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import type { BrokerMetrics } from './metrics/broker-metrics.js';
import { withOperations } from './operations-processors.js';
import type { MessageStore } from './store/message-store.js';
import type { TransactionLedger } from './transaction/transaction-ledger.js';

export interface RequestProcessorsDeps {
  /** With the ports actually bound. */
  readonly config: BrokerConfig;
  readonly storeHost: HostAddress;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly producers: ProducerManager;
  readonly consumers: ConsumerManager;
  readonly store: MessageStore;
  readonly put: BrokerProcessorDeps['put'];
  readonly transactions: TransactionLedger;
  readonly registered: () => Promise<void>;
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
