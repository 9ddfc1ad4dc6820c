import { EMPTY, type Observable, type SchedulerLike, type Subscription, merge } from 'rxjs';
import type { Logger } from '../logger.js';
import type { HostAddress } from '../protocol/message.js';
import type { Channel } from '../remoting/channel.js';
import { clientHousekeeping$ } from './client-housekeeping.js';
import type { BrokerConfig } from './config.js';
import { consumerIdsNotifier$ } from './managers/consumer-ids-notifier.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import type { ProducerManager } from './managers/producer-manager.js';
import type { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import type { Put } from './schedule/scheduling-put.js';
import type { MessageStore } from './store/message-store.js';
import { transactionCheck$ } from './transaction/check-service.js';
import type { TransactionLedger } from './transaction/transaction-ledger.js';

export interface ServiceLoopsDeps {
  readonly config: BrokerConfig;
  /** The name-server registration rounds. */
  readonly registration$: Observable<unknown>;
  /** Replication, master or slave side. */
  readonly ha$: Observable<never>;
  /** Delayed and timed delivery. */
  readonly delivery$: Observable<never>;
  /** Every client connection of every client port, as it is accepted. */
  readonly channels$: Observable<Channel>;
  readonly storeHost: HostAddress;
  readonly store: MessageStore;
  /** The store's put, without the redirection of delayed messages. */
  readonly put: Put;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  readonly offsets: ConsumerOffsetManager;
  readonly producers: ProducerManager;
  readonly consumers: ConsumerManager;
  readonly transactions: TransactionLedger;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

/** Subscribes every background service the broker runs; a failed one is logged, the others go on. */
export function startServiceLoops(deps: ServiceLoopsDeps): Subscription {
  const { config, logger, scheduler } = deps;
  const isSlave = config.brokerRole === 'SLAVE';
  return merge(
    deps.registration$,
    deps.offsets.flushLoop$(scheduler, config.flushConsumerOffsetInterval),
    clientHousekeeping$({
      channels$: deps.channels$,
      producers: deps.producers,
      consumers: deps.consumers,
      logger,
      scheduler,
    }),
    consumerIdsNotifier$({
      consumers: deps.consumers,
      groups: deps.groups,
      enabled: config.notifyConsumerIdsChangedEnable,
    }),
    deps.ha$,
    // A slave's store takes no puts: delivering delayed messages and checking transactions is the master's.
    isSlave ? EMPTY : deps.delivery$,
    isSlave
      ? EMPTY
      : transactionCheck$({
          config,
          storeHost: deps.storeHost,
          store: deps.store,
          put: deps.put,
          offsets: deps.offsets,
          producers: deps.producers,
          topics: deps.topics,
          ledger: deps.transactions,
          logger: logger.child({ component: 'transaction-check' }),
          scheduler,
        }),
  ).subscribe({
    error: (error: unknown) => {
      logger.error({ error: String(error) }, 'a broker service loop failed');
    },
  });
}
