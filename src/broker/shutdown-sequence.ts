import { type Unsubscribable, lastValueFrom } from 'rxjs';
import type { Logger } from '../logger.js';
import type { RemotingClient } from '../remoting/client.js';
import type { RemotingServer } from '../remoting/server.js';
import type { HaService } from './ha/ha-service.js';
import type { InFlightPuts } from './in-flight-puts.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ConsumerOffsetManager } from './managers/consumer-offset-manager.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import type { MetricsServer } from './metrics/metrics-server.js';
import type { RegisterService } from './register-service.js';
import type { DeliveryServices } from './schedule/delivery-services.js';
import type { MessageStore } from './store/message-store.js';

/** What a started broker stops, in the order it is stopped. */
export interface RunningBroker {
  readonly address: string;
  readonly isSlave: boolean;
  readonly loops: Unsubscribable;
  readonly metricsServer: MetricsServer | undefined;
  readonly registration: Pick<RegisterService, 'unregisterAll$'>;
  readonly ha: Pick<HaService, 'close'>;
  /** The client port, then the VIP channel's when there is one. */
  readonly servers: readonly Pick<RemotingServer, 'close'>[];
  readonly delivery: Pick<DeliveryServices, 'stop' | 'persist'>;
  readonly puts: Pick<InFlightPuts, 'settled'>;
  readonly offsets: Pick<ConsumerOffsetManager, 'persist'>;
  readonly store: Pick<MessageStore, 'shutdown'>;
  readonly topics: Pick<TopicConfigManager, 'close'>;
  readonly consumers: Pick<ConsumerManager, 'close'>;
  readonly remoting: Pick<RemotingClient, 'close'>;
  readonly logger: Logger;
}

/** Unregisters, stops serving, lets in-flight puts finish, shuts the store down cleanly. */
export async function shutDownBroker(broker: RunningBroker): Promise<void> {
  const { logger } = broker;
  broker.loops.unsubscribe();
  await broker.metricsServer?.close();
  await lastValueFrom(broker.registration.unregisterAll$(), { defaultValue: undefined });
  await broker.ha.close();
  for (const server of broker.servers) await server.close();
  await broker.delivery.stop();
  await broker.puts.settled();
  await broker.offsets.persist().catch((error: unknown) => {
    logger.error({ error: String(error) }, 'consumer offsets not persisted at shutdown');
  });
  await broker.store.shutdown();
  // After the store's last commit, so every re-put counts as delivered.
  // A slave's delayOffset.json is the master's copy, written by the metadata sync.
  await (broker.isSlave ? Promise.resolve() : broker.delivery.persist()).catch((error: unknown) => {
    logger.error({ error: String(error) }, 'delay offsets not persisted at shutdown');
  });
  broker.topics.close();
  broker.consumers.close();
  await broker.remoting.close();
  logger.info({ address: broker.address }, 'broker stopped');
}
