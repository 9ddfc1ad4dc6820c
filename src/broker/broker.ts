/**
 * The broker process's parts wired together (RocketMQ's BrokerController): the message store, the topic,
 * group and offset tables under storePathRootDir/config, the remoting server with its processors, the HA
 * port, client housekeeping and the name-server registration.
 */
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type SchedulerLike, asyncScheduler, merge } from 'rxjs';
import { BrokerStartError } from '../errors.js';
import type { Logger } from '../logger.js';
import { formatAddress } from '../remoting/address.js';
import { createRemotingClient } from '../remoting/client.js';
import { createRemotingServer } from '../remoting/server.js';
import type { BrokerConfig } from './config.js';
import { GroupTransfer } from './ha/group-transfer.js';
import { groupTransferFor, replicationStoreOptions, startHaService } from './ha/ha-service.js';
import { trackInFlightPuts } from './in-flight-puts.js';
import { listening } from './listening.js';
import { ConsumerManager } from './managers/consumer-manager.js';
import { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import { ProducerManager } from './managers/producer-manager.js';
import { RebalanceLockManager } from './managers/rebalance-lock-manager.js';
import { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import { TopicConfigManager } from './managers/topic-config-manager.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { consumerLag } from './metrics/consumer-lag.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { nameServerRegistration } from './name-server-registration.js';
import { directorySize } from './metrics/store-size.js';
import { requestProcessors } from './request-processors.js';
import { parseDelayLevels } from './schedule/delay-levels.js';
import { openDeliveryServices } from './schedule/delivery-services.js';
import { deliverTimeTagsCode } from './schedule/deliver-time-code.js';
import { startServiceLoops } from './service-loops.js';
import { shutDownBroker } from './shutdown-sequence.js';
import { statfsUsedRatio } from './store/clean-service.js';
import { MessageStore } from './store/message-store.js';
import { TransactionLedger } from './transaction/transaction-ledger.js';

export interface BrokerOptions {
  readonly logger: Logger;
  /** Clock and timers of every loop (registration, offset flushing, housekeeping, the store's). */
  readonly scheduler?: SchedulerLike;
  /** Serve Prometheus metrics over HTTP on this port (0 = any free one) of the client listen host; off when absent. */
  readonly metricsPort?: number;
}

export interface Broker {
  /** "brokerIP1:port": what clients connect to and name servers are told (the real port when asked for 0). */
  readonly address: string;
  /** "brokerIP2:haPort", announced as haServerAddr. */
  readonly haAddress: string;
  /** "host:port" of the metrics endpoint when one was asked for. */
  readonly metricsAddress: string | undefined;
  /** Unregisters, stops serving, lets in-flight puts finish, shuts the store down cleanly. Idempotent. */
  close(): Promise<void>;
}

export async function startBroker(config: BrokerConfig, options: BrokerOptions): Promise<Broker> {
  const logger = options.logger.child({ broker: config.brokerName });
  const scheduler = options.scheduler ?? asyncScheduler;
  const announcedHaHost = config.brokerIP2 ?? config.brokerIP1;
  for (const ip of [config.brokerIP1, announcedHaHost]) {
    if (isIP(ip) === 0) throw new BrokerStartError(`brokerIP1/brokerIP2 must be IP addresses, got "${ip}"`);
  }
  const isSlave = config.brokerRole === 'SLAVE';
  const undo: (() => Promise<void>)[] = [];
  try {
    const levelsMs = parseDelayLevels(config.messageDelayLevel);
    const metrics = new BrokerMetrics({ cluster: config.brokerClusterName, broker: config.brokerName });
    const transfer = groupTransferFor(config);
    // The slaves' progress, also kept for an ASYNC_MASTER (nothing waits on it there): the HA lag gauge reads it.
    const replicas =
      transfer ??
      new GroupTransfer({ timeoutMs: config.syncFlushTimeout, maxGapBytes: Number.MAX_SAFE_INTEGER });
    const store = await MessageStore.open(config, {
      ...replicationStoreOptions(config, transfer),
      logger,
      scheduler,
      flushTimed: metrics.flushTimed,
      tagsCodeOf: deliverTimeTagsCode(levelsMs),
    });
    undo.push(() => store.shutdown());
    const configDir = join(config.storePathRootDir, 'config');
    await mkdir(configDir, { recursive: true });
    const topics = await TopicConfigManager.load({
      path: join(configDir, 'topics.json'),
      brokerClusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      autoCreateTopicEnable: config.autoCreateTopicEnable,
      defaultTopicQueueNums: config.defaultTopicQueueNums,
      delayLevelCount: levelsMs.length,
      logger,
      now: () => scheduler.now(),
    });
    const offsets = await ConsumerOffsetManager.load(join(configDir, 'consumerOffset.json'), logger);
    const groups = await SubscriptionGroupManager.load(
      join(configDir, 'subscriptionGroup.json'),
      config.autoCreateSubscriptionGroup,
      logger,
    );
    const producers = new ProducerManager();
    const consumers = new ConsumerManager();
    undo.push(() => {
      topics.close();
      consumers.close();
      return Promise.resolve();
    });

    const listenHost = config.listenHost ?? config.brokerIP1;
    const serverOptions = {
      host: listenHost,
      logger,
      scheduler,
      maxIdleMs: config.serverChannelMaxIdleTimeSeconds * 1000,
    };
    const server = createRemotingServer({ ...serverOptions, port: config.listenPort });
    const bound = await listening('clients', listenHost, config.listenPort, () => server.listen(), logger);
    undo.push(() => server.close());
    // RocketMQ's "VIP channel": Java clients before 4.9 send to listenPort - 2 unless told otherwise.
    const vip =
      config.listenPort > 2
        ? createRemotingServer({ ...serverOptions, port: config.listenPort - 2 })
        : undefined;
    if (vip !== undefined) {
      await listening('clients (VIP channel)', listenHost, config.listenPort - 2, () => vip.listen(), logger);
      undo.push(() => vip.close());
    }
    const remoting = createRemotingClient({ logger: logger.child({ component: 'namesrv-client' }) });
    undo.push(() => remoting.close());
    const haHost = config.haListenHost ?? listenHost;
    const ha = await listening(
      'HA',
      haHost,
      config.haListenPort,
      () =>
        startHaService({
          config,
          host: haHost,
          port: config.haListenPort,
          transfer: replicas,
          store,
          // Read when replication starts, after the registration below exists.
          master: () => registration.master,
          remoting,
          topics,
          offsets,
          groups,
          logger,
          scheduler,
        }),
      logger,
    );
    undo.push(() => ha.close());
    const effective: BrokerConfig = { ...config, listenPort: bound.port, haListenPort: ha.port };
    const address = formatAddress({ address: config.brokerIP1, port: bound.port });
    const haAddress = formatAddress({ address: announcedHaHost, port: ha.port });
    const registration = nameServerRegistration({
      config,
      remoting,
      address,
      haAddress,
      topics,
      logger,
      scheduler,
    });

    const puts = trackInFlightPuts(store, metrics);
    const delivery = await openDeliveryServices({
      config,
      levelsMs,
      store,
      put: puts.put,
      storeHost: { address: config.brokerIP1, port: bound.port },
      scheduler,
      logger,
    });
    const transactions = new TransactionLedger();
    const diskUsedRatio = (): Promise<number> => statfsUsedRatio(config.storePathRootDir);
    const locks = new RebalanceLockManager(() => scheduler.now(), config.rebalanceLockMaxLiveTime);
    const processors = requestProcessors({
      config: effective,
      storeHost: { address: config.brokerIP1, port: bound.port },
      topics,
      groups,
      offsets,
      producers,
      consumers,
      store,
      put: delivery.schedulingPut,
      transactions,
      registered: () => registration.registered(),
      locks,
      metrics,
      diskUsedRatio,
      logger,
      scheduler,
    });
    for (const [code, processor] of processors) {
      server.registerProcessor(code, processor);
      vip?.registerProcessor(code, processor);
    }

    const loops = startServiceLoops({
      config,
      registration$: registration.loop$,
      ha$: ha.loop$,
      delivery$: delivery.loop$,
      channels$: vip === undefined ? server.channels$ : merge(server.channels$, vip.channels$),
      storeHost: { address: config.brokerIP1, port: bound.port },
      store,
      put: puts.put,
      topics,
      groups,
      offsets,
      producers,
      consumers,
      transactions,
      logger,
      scheduler,
    });
    undo.push(() => {
      loops.unsubscribe();
      return Promise.resolve();
    });
    await registration.registered();
    metrics.attach({
      consumerLag: () => consumerLag({ offsets, topics, store }),
      queueLocks: () => locks.liveLocks(),
      storeSizeBytes: () => directorySize(config.storePathRootDir),
      diskUsedRatio,
      connections: () => server.channels.size + (vip?.channels.size ?? 0),
      haLagBytes: () =>
        replicas.connectedSlaves === 0 ? 0 : Math.max(0, store.maxPhysicalOffset - replicas.slaveOffset),
    });
    let metricsServer: MetricsServer | undefined;
    if (options.metricsPort !== undefined) {
      const port = options.metricsPort;
      metricsServer = await listening(
        'metrics',
        listenHost,
        port,
        () => startMetricsServer(metrics, listenHost, port, logger),
        logger,
      );
      const started = metricsServer;
      undo.push(() => started.close());
    }
    logger.info(
      { address, haAddress, metricsAddress: metricsServer?.address, namesrvAddr: config.namesrvAddr },
      'broker started',
    );

    let closing: Promise<void> | undefined;
    return {
      address,
      haAddress,
      metricsAddress: metricsServer?.address,
      close: () =>
        (closing ??= shutDownBroker({
          address,
          isSlave,
          loops,
          metricsServer,
          registration,
          ha,
          servers: vip === undefined ? [server] : [server, vip],
          delivery,
          puts,
          offsets,
          store,
          topics,
          consumers,
          remoting,
          logger,
        })),
    };
  } catch (error) {
    for (const step of undo.reverse()) {
      await step().catch((cleanupError: unknown) => {
        logger.warn({ error: String(cleanupError) }, 'cleanup after a failed start failed');
      });
    }
    throw error;
  }
}
