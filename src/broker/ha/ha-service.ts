/**
 * Replication wired for one broker (RocketMQ's HAService and SlaveSynchronize): every role listens on the HA
 * port; a master streams its CommitLog to the slaves that connect, and a SYNC_MASTER's puts wait for one of
 * them; a slave replicates from its master's HA port and copies the master's metadata.
 */
import { type Observable, type SchedulerLike, ignoreElements, merge } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { RemotingClient } from '../../remoting/client.js';
import type { BrokerConfig } from '../config.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import type { RegisterService } from '../register-service.js';
import type { MessageStore } from '../store/message-store.js';
import type { MessageStoreOptions } from '../store/message-store-types.js';
import { GroupTransfer } from './group-transfer.js';
import { haClient$ } from './ha-client.js';
import { listenHa } from './ha-server.js';
import { slaveSync$ } from './slave-sync.js';

export type HaConfig = Pick<
  BrokerConfig,
  | 'brokerRole'
  | 'syncFlushTimeout'
  | 'haSlaveFallbehindMax'
  | 'mappedFileSizeCommitLog'
  | 'haTransferBatchSize'
  | 'haSendHeartbeatInterval'
  | 'haMasterAddress'
  | 'storePathRootDir'
>;

/** The group transfer of a master (its SYNC_MASTER puts wait on it); none for a slave. */
export function groupTransferFor(config: HaConfig): GroupTransfer | undefined {
  return config.brokerRole === 'SLAVE'
    ? undefined
    : new GroupTransfer({ timeoutMs: config.syncFlushTimeout, maxGapBytes: config.haSlaveFallbehindMax });
}

/** What the store must know of its role: a SYNC_MASTER waits for the slave, a slave takes no puts. */
export function replicationStoreOptions(
  config: HaConfig,
  transfer: GroupTransfer | undefined,
): Pick<MessageStoreOptions, 'awaitReplica' | 'refuseWrites'> {
  if (config.brokerRole === 'SLAVE')
    return { refuseWrites: 'slave mode: this broker only replicates its master' };
  if (config.brokerRole === 'SYNC_MASTER' && transfer !== undefined) {
    return { awaitReplica: (end, now) => transfer.wait(end, now) };
  }
  return {};
}

export interface HaServiceDeps {
  readonly config: HaConfig;
  readonly host: string;
  readonly port: number;
  readonly transfer: GroupTransfer | undefined;
  readonly store: MessageStore;
  /** The slave's master as the name servers last answered (masterAddr, haServerAddr). */
  readonly master: () => RegisterService['master'];
  readonly remoting: Pick<RemotingClient, 'invoke$'>;
  readonly topics: TopicConfigManager;
  readonly offsets: ConsumerOffsetManager;
  readonly groups: SubscriptionGroupManager;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

export interface HaService {
  readonly port: number;
  /** Replication while subscribed: the master's connections, or the slave's client and metadata copy. */
  readonly loop$: Observable<never>;
  close(): Promise<void>;
}

/** RocketMQ's slave syncs its master's tables first after 3 s, then every 10 s. */
const SYNC_FIRST_MS = 3_000;
const SYNC_PERIOD_MS = 10_000;
const SYNC_TIMEOUT_MS = 3_000;
const RECONNECT_INITIAL_MS = 200;
const RECONNECT_MAX_MS = 5_000;

export async function startHaService(deps: HaServiceDeps): Promise<HaService> {
  const { config, scheduler } = deps;
  const logger = deps.logger.child({ component: 'ha' });
  const server = await listenHa(deps.host, deps.port, {
    store: deps.store,
    transfer:
      deps.transfer ??
      new GroupTransfer({ timeoutMs: config.syncFlushTimeout, maxGapBytes: Number.MAX_SAFE_INTEGER }),
    segmentSize: config.mappedFileSizeCommitLog,
    batchSize: config.haTransferBatchSize,
    heartbeatMs: config.haSendHeartbeatInterval,
    logger,
    scheduler,
  });
  if (config.brokerRole !== 'SLAVE') return server;
  const replication$ = haClient$({
    store: deps.store,
    masterAddress: () => config.haMasterAddress ?? deps.master().haServerAddr,
    heartbeatMs: config.haSendHeartbeatInterval,
    maxTransferBytes: Math.max(config.haTransferBatchSize, config.mappedFileSizeCommitLog),
    backoff: { initialMs: RECONNECT_INITIAL_MS, maxMs: RECONNECT_MAX_MS },
    logger,
    scheduler,
  });
  const sync$ = slaveSync$({
    remoting: deps.remoting,
    masterAddress: () => deps.master().masterAddr,
    topics: deps.topics,
    offsets: deps.offsets,
    groups: deps.groups,
    storePathRootDir: config.storePathRootDir,
    firstDelayMs: SYNC_FIRST_MS,
    periodMs: SYNC_PERIOD_MS,
    timeoutMs: SYNC_TIMEOUT_MS,
    logger: logger.child({ component: 'slave-sync' }),
    scheduler,
  });
  return {
    port: server.port,
    loop$: merge(server.loop$, replication$.pipe(ignoreElements()), sync$),
    close: () => server.close(),
  };
}
