/**
 * The broker process's parts wired together (RocketMQ's BrokerController): the message store, the topic,
 * group and offset tables under storePathRootDir/config, the remoting server with its processors, the HA
 * port, client housekeeping and the name-server registration.
 */
import { mkdir } from 'node:fs/promises';
import { isIP, isIPv4 } from 'node:net';
import { join } from 'node:path';
import { EMPTY, type SchedulerLike, Subscription, asyncScheduler, lastValueFrom, merge } from 'rxjs';
import { BrokerStartError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MessageRecordInput } from '../protocol/message.js';
import { createUniqKeyGenerator } from '../protocol/msg-id.js';
import { formatAddress } from '../remoting/address.js';
import { createRemotingClient } from '../remoting/client.js';
import { createRemotingServer } from '../remoting/server.js';
import { brokerProcessors } from './broker-processors.js';
import { clientHousekeeping$ } from './client-housekeeping.js';
import type { BrokerConfig } from './config.js';
import { GroupTransfer } from './ha/group-transfer.js';
import { groupTransferFor, replicationStoreOptions, startHaService } from './ha/ha-service.js';
import { createReplicationProcessors } from './ha/replication-processors.js';
import { ClientVersions } from './managers/client-versions.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { consumerLag } from './metrics/consumer-lag.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { directorySize } from './metrics/store-size.js';
import { withOperations } from './operations-processors.js';
import { statfsUsedRatio } from './store/clean-service.js';
import { consumerIdsNotifier$ } from './managers/consumer-ids-notifier.js';
import { ConsumerManager } from './managers/consumer-manager.js';
import { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import { initialDataVersion } from './managers/data-version.js';
import { ProducerManager } from './managers/producer-manager.js';
import { RebalanceLockManager } from './managers/rebalance-lock-manager.js';
import { SubscriptionGroupManager } from './managers/subscription-group-manager.js';
import { TopicConfigManager } from './managers/topic-config-manager.js';
import { RegisterService, clampRegisterPeriod } from './register-service.js';
import { parseDelayLevels } from './schedule/delay-levels.js';
import { openDeliveryServices } from './schedule/delivery-services.js';
import { deliverTimeTagsCode } from './schedule/deliver-time-code.js';
import { MessageStore, type PutOptions, type PutResult } from './store/message-store.js';
import { transactionCheck$ } from './transaction/check-service.js';
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

const namesrvAddressesOf = (namesrvAddr: string | undefined): string[] =>
  (namesrvAddr ?? '')
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);

async function listening<T>(
  what: string,
  host: string,
  port: number,
  listen: () => Promise<T>,
  logger: Logger,
): Promise<T> {
  try {
    const bound = await listen();
    logger.info({ what, host, requestedPort: port }, 'listening');
    return bound;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address already in use' : String(error);
    throw new BrokerStartError(
      `cannot listen for ${what} on ${formatAddress({ address: host, port })}: ${reason}`,
      {
        cause: error,
      },
    );
  }
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
    const registration = new RegisterService({
      remoting,
      namesrvAddresses: namesrvAddressesOf(config.namesrvAddr),
      identity: {
        brokerName: config.brokerName,
        brokerAddr: address,
        clusterName: config.brokerClusterName,
        brokerId: config.brokerId,
      },
      haServerAddr: haAddress,
      topics,
      brokerPermission: config.brokerPermission,
      compressed: config.compressedRegister,
      periodMs: clampRegisterPeriod(config.registerNameServerPeriod),
      timeoutMs: config.registerBrokerTimeoutMills,
      logger: logger.child({ component: 'register' }),
      scheduler,
    });

    // Puts still running at close() are waited for before the store shuts down.
    const inFlight = new Set<Promise<PutResult>>();
    const put = (inputs: readonly MessageRecordInput[], putOptions: PutOptions): Promise<PutResult> => {
      const started = performance.now();
      const putting = store.putBatch(inputs, putOptions);
      inFlight.add(putting);
      const settled = (): void => {
        inFlight.delete(putting);
      };
      putting.then((result) => {
        settled();
        metrics.recordPut(inputs[0]!.topic, result.records, (performance.now() - started) / 1000);
      }, settled);
      return putting;
    };
    const delivery = await openDeliveryServices({
      config,
      levelsMs,
      store,
      put,
      storeHost: { address: config.brokerIP1, port: bound.port },
      scheduler,
      logger,
    });
    const transactions = new TransactionLedger();
    const clientVersions = new ClientVersions();
    const diskUsedRatio = (): Promise<number> => statfsUsedRatio(config.storePathRootDir);
    const locks = new RebalanceLockManager(() => scheduler.now(), config.rebalanceLockMaxLiveTime);
    const baseProcessors = brokerProcessors({
      config: effective,
      configVersion: initialDataVersion(scheduler.now()),
      storeHost: { address: config.brokerIP1, port: bound.port },
      topics,
      groups,
      offsets,
      producers,
      consumers,
      store,
      put: delivery.schedulingPut,
      transactions,
      deleteQueues: (topic) => store.deleteTopic(topic),
      registered: () => registration.registered(),
      nextUniqKey: createUniqKeyGenerator(
        isIPv4(config.brokerIP1) ? { ip: Buffer.from(config.brokerIP1.split('.').map(Number)) } : {},
      ),
      now: () => scheduler.now(),
      locks,
      logger,
      scheduler,
      parking: metrics.parking,
    });
    const processors = withOperations(baseProcessors, {
      config: effective,
      topics,
      groups,
      offsets,
      consumers,
      store,
      metrics,
      clientVersions,
      diskUsedRatio,
      bootTimestamp: scheduler.now(),
      now: () => scheduler.now(),
      logger,
    });
    const replication = createReplicationProcessors({ offsets, storePathRootDir: config.storePathRootDir });
    for (const [code, processor] of [...processors, ...replication]) {
      server.registerProcessor(code, processor);
      vip?.registerProcessor(code, processor);
    }

    const loops = new Subscription();
    undo.push(() => {
      loops.unsubscribe();
      return Promise.resolve();
    });
    loops.add(
      merge(
        registration.loop$,
        offsets.flushLoop$(scheduler, config.flushConsumerOffsetInterval),
        clientHousekeeping$({
          channels$: vip === undefined ? server.channels$ : merge(server.channels$, vip.channels$),
          producers,
          consumers,
          logger,
          scheduler,
        }),
        consumerIdsNotifier$({ consumers, groups, enabled: config.notifyConsumerIdsChangedEnable }),
        ha.loop$,
        // A slave's store takes no puts: delivering delayed messages and checking transactions is the master's.
        isSlave ? EMPTY : delivery.loop$,
        isSlave
          ? EMPTY
          : transactionCheck$({
              config,
              storeHost: { address: config.brokerIP1, port: bound.port },
              store,
              put,
              offsets,
              producers,
              topics,
              ledger: transactions,
              logger: logger.child({ component: 'transaction-check' }),
              scheduler,
            }),
      ).subscribe({
        error: (error: unknown) => {
          logger.error({ error: String(error) }, 'a broker service loop failed');
        },
      }),
    );
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
    const close = async (): Promise<void> => {
      loops.unsubscribe();
      await metricsServer?.close();
      await lastValueFrom(registration.unregisterAll$(), { defaultValue: undefined });
      await ha.close();
      await server.close();
      await vip?.close();
      await delivery.stop();
      await Promise.allSettled(inFlight);
      await offsets.persist().catch((error: unknown) => {
        logger.error({ error: String(error) }, 'consumer offsets not persisted at shutdown');
      });
      await store.shutdown();
      // After the store's last commit, so every re-put counts as delivered.
      // A slave's delayOffset.json is the master's copy, written by the metadata sync.
      await (isSlave ? Promise.resolve() : delivery.persist()).catch((error: unknown) => {
        logger.error({ error: String(error) }, 'delay offsets not persisted at shutdown');
      });
      topics.close();
      consumers.close();
      await remoting.close();
      logger.info({ address }, 'broker stopped');
    };
    return {
      address,
      haAddress,
      metricsAddress: metricsServer?.address,
      close: () => (closing ??= close()),
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
