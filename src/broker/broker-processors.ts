import { RequestCode } from '../protocol/request-code.js';
import type { MessageRecordInput } from '../protocol/message.js';
import type { HostAddress } from '../protocol/message.js';
import type { SchedulerLike } from 'rxjs';
import type { RequestProcessor } from '../remoting/channel.js';
import type { Logger } from '../logger.js';
import type { BrokerConfig } from './config.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import type { DataVersion } from './managers/data-version.js';
import type { ProducerManager } from './managers/producer-manager.js';
import type { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import {
  createCheckClientConfigProcessor,
  createHeartbeatProcessor,
  createUnregisterClientProcessor,
} from './processor/client-manage.js';
import { createGetBrokerConfigProcessor } from './processor/get-broker-config.js';
import { createEndTransactionProcessor } from './processor/end-transaction.js';
import { createSendProcessor } from './processor/send.js';
import { createTopicAdminProcessors } from './processor/topic-admin.js';
import { createConsumerGroupProcessors } from './processor/consumer-group.js';
import { createConsumerOffsetProcessors } from './processor/consumer-offset.js';
import { createPullMessageProcessor } from './processor/pull-message.js';
import { createQueueOffsetProcessors } from './processor/queue-offset.js';
import { createSendBackProcessor } from './processor/send-back.js';
import { createLockBatchProcessors } from './processor/lock-batch.js';
import { RebalanceLockManager } from './managers/rebalance-lock-manager.js';
import { RETRY_PERM, retryTopicOf } from './processor/retry-dlq.js';
import type { MessageStore, PutOptions, PutResult } from './store/message-store.js';
import { TransactionLedger } from './transaction/transaction-ledger.js';

export interface BrokerProcessorDeps {
  /** The settings in effect, bound ports included. */
  readonly config: BrokerConfig;
  readonly configVersion: DataVersion;
  readonly storeHost: HostAddress;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly producers: ProducerManager;
  readonly consumers: ConsumerManager;
  /** What consumers read: pulls, offsets by queue and time, records by CommitLog offset. */
  readonly store: Pick<
    MessageStore,
    | 'getMessage'
    | 'arrivals$'
    | 'minOffsetInQueue'
    | 'maxOffsetInQueue'
    | 'offsetInQueueByTime'
    | 'readRecord'
  >;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  /** Transactions already committed or rolled back, shared with the check service; a fresh one by default. */
  readonly transactions?: TransactionLedger;
  readonly deleteQueues: (topic: string) => Promise<void>;
  readonly registered: () => Promise<void>;
  readonly nextUniqKey: () => string;
  readonly now: () => number;
  readonly logger: Logger;
  /** Long polling's timers. */
  readonly scheduler?: SchedulerLike;
  /** Orderly consumers' queue locks; a fresh table on the broker's clock by default. */
  readonly locks?: RebalanceLockManager;
  /** Told when a pull parks and leaves the park (the metrics' parked-pulls gauge). */
  readonly parking?: { parked(): void; unparked(): void };
}

/** Every request code the broker answers, and who answers it; the rest get REQUEST_CODE_NOT_SUPPORTED. */
export function brokerProcessors(deps: BrokerProcessorDeps): ReadonlyMap<number, RequestProcessor> {
  const send = createSendProcessor({
    config: deps.config,
    storeHost: deps.storeHost,
    topics: deps.topics,
    groups: deps.groups,
    put: deps.put,
    nextUniqKey: deps.nextUniqKey,
    logger: deps.logger.child({ component: 'send' }),
  });
  const clients = {
    producers: deps.producers,
    consumers: deps.consumers,
    now: deps.now,
    ensureRetryTopic: async (group: string) => {
      const config = await deps.groups.findOrCreate(group);
      if (config !== undefined)
        await deps.topics.ensure(retryTopicOf(group), config.retryQueueNums, RETRY_PERM);
    },
  };
  const processors = new Map<number, RequestProcessor>([
    [RequestCode.SEND_MESSAGE, send],
    [RequestCode.SEND_MESSAGE_V2, send],
    [RequestCode.SEND_BATCH_MESSAGE, send],
    [
      RequestCode.PULL_MESSAGE,
      createPullMessageProcessor({
        config: deps.config,
        store: deps.store,
        topics: deps.topics,
        groups: deps.groups,
        consumers: deps.consumers,
        offsets: deps.offsets,
        logger: deps.logger.child({ component: 'pull' }),
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        ...(deps.parking ? { parking: deps.parking } : {}),
      }),
    ],
    [
      RequestCode.CONSUMER_SEND_MSG_BACK,
      createSendBackProcessor({
        config: deps.config,
        storeHost: deps.storeHost,
        topics: deps.topics,
        groups: deps.groups,
        store: deps.store,
        put: deps.put,
        logger: deps.logger.child({ component: 'send-back' }),
      }),
    ],
    [
      RequestCode.END_TRANSACTION,
      createEndTransactionProcessor({
        config: deps.config,
        storeHost: deps.storeHost,
        store: deps.store,
        put: deps.put,
        ledger: deps.transactions ?? new TransactionLedger(),
        now: deps.now,
        logger: deps.logger.child({ component: 'end-transaction' }),
      }),
    ],
    [RequestCode.HEART_BEAT, createHeartbeatProcessor(clients)],
    [RequestCode.UNREGISTER_CLIENT, createUnregisterClientProcessor(clients)],
    [RequestCode.CHECK_CLIENT_CONFIG, createCheckClientConfigProcessor()],
    [RequestCode.GET_BROKER_CONFIG, createGetBrokerConfigProcessor(deps.config, deps.configVersion)],
  ]);
  const admin = createTopicAdminProcessors({
    topics: deps.topics,
    offsets: deps.offsets,
    clusterName: deps.config.brokerClusterName,
    deleteQueues: deps.deleteQueues,
    registered: deps.registered,
  });
  const offsets = createConsumerOffsetProcessors({ offsets: deps.offsets, store: deps.store });
  const consumerGroups = createConsumerGroupProcessors({ consumers: deps.consumers, groups: deps.groups });
  for (const [code, processor] of [
    ...admin,
    ...offsets,
    ...consumerGroups,
    ...createQueueOffsetProcessors(deps.store),
    ...createLockBatchProcessors(deps.locks ?? new RebalanceLockManager(deps.now)),
  ]) {
    processors.set(code, processor);
  }
  return processors;
}
