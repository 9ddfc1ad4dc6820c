/**
 * The name server: a remoting server with the name server's processors, the expiry scan, and the rule that a
 * broker is dropped at once when the connection it registered over closes.
 */
import { type SchedulerLike, Subscription, asyncScheduler } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { Channel } from '../../remoting/channel.js';
import { createRemotingServer } from '../../remoting/server.js';
import { brokerExpiry$ } from './broker-expiry.js';
import { KvConfigStore } from './kv-config.js';
import { createNamesrvProcessors } from './request-processor.js';
import { RouteInfoManager } from './route-info.js';

export interface NameServer {
  /** "host:port" it listens on (the real port when started on port 0). */
  readonly address: string;
  close(): Promise<void>;
}

export interface NameServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9876; 0 picks a free port. */
  readonly port?: number;
  readonly logger: Logger;
  /** kvConfig.json; without it the KV config lives in memory only. */
  readonly kvConfigPath?: string;
  /** Clock and timers of the liveness scan. */
  readonly scheduler?: SchedulerLike;
  /** RocketMQ's orderMessageEnable. */
  readonly orderMessageEnable?: boolean;
}

export const DEFAULT_NAMESRV_PORT = 9876;

export async function startNameServer(options: NameServerOptions): Promise<NameServer> {
  const logger = options.logger;
  const scheduler = options.scheduler ?? asyncScheduler;
  const kvConfig = await KvConfigStore.open(options.kvConfigPath);
  const routes = new RouteInfoManager();
  const subscriptions = new Subscription();
  const watched = new Map<number, Subscription>();

  const dropBrokerOf = (channel: Channel): void => {
    const removed = routes.removeBrokerByChannel(channel);
    if (!removed) return;
    logger.info(
      { brokerAddr: removed.brokerAddr, brokerName: removed.brokerName, remote: channel.remoteAddress },
      "the broker's channel closed, broker removed",
    );
  };

  const watchBrokerChannel = (channel: Channel): void => {
    if (watched.has(channel.id)) return;
    if (channel.isClosed) {
      dropBrokerOf(channel);
      return;
    }
    const watch = new Subscription();
    watched.set(channel.id, watch);
    subscriptions.add(watch);
    watch.add(
      channel.closed$.subscribe(() => {
        watched.delete(channel.id);
        subscriptions.remove(watch);
        dropBrokerOf(channel);
      }),
    );
  };

  const server = createRemotingServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_NAMESRV_PORT,
    logger,
  });
  const processors = createNamesrvProcessors({
    routes,
    kvConfig,
    logger,
    now: () => scheduler.now(),
    watchBrokerChannel,
    ...(options.orderMessageEnable === undefined ? {} : { orderMessageEnable: options.orderMessageEnable }),
  });
  for (const [code, processor] of processors) server.registerProcessor(code, processor);

  subscriptions.add(
    brokerExpiry$(routes, { scheduler }).subscribe((removed) => {
      logger.warn(
        {
          brokerAddr: removed.brokerAddr,
          brokerName: removed.brokerName,
          lastUpdateTimestamp: removed.lastUpdateTimestamp,
        },
        'broker expired: no registration for 120 s, removed',
      );
      removed.channel?.close();
    }),
  );

  let bound: { host: string; port: number };
  try {
    bound = await server.listen();
  } catch (error) {
    subscriptions.unsubscribe();
    await server.close();
    throw error;
  }
  const address = `${bound.host}:${bound.port}`;
  logger.info({ address, kvConfigPath: kvConfig.path }, 'name server started');

  let closing: Promise<void> | undefined;
  return {
    address,
    close: () =>
      (closing ??= (async () => {
        subscriptions.unsubscribe();
        watched.clear();
        await server.close();
        await kvConfig.flushed().catch(() => undefined);
        logger.info({ address }, 'name server stopped');
      })()),
  };
}
