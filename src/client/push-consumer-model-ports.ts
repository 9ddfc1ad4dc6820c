import type { Observable } from 'rxjs';
import type { Logger } from '../logger.js';
import type { ClientInstance } from './client-instance.js';
import type { ConsumerApi } from './consumer-api.js';
import type { ConsumerMessage } from './consumer-message.js';
import { type RouteLookup, createRemoteOffsetPort, createSendBackPort } from './consumer-ports.js';
import { createLocalOffsetPort } from './local-offset-port.js';
import { type OffsetStore, createOffsetStore } from './offset-store.js';
import type { ResolvedPushConsumerOptions } from './push-consumer-options.js';

export interface PushConsumerModelPortsDeps {
  readonly instance: ClientInstance;
  readonly api: ConsumerApi;
  readonly routes: RouteLookup;
  readonly options: ResolvedPushConsumerOptions;
  readonly offsetStoreDir: string | undefined;
  readonly logger: Logger;
}

/** Where a push consumer's offsets and failed messages go, which its message model decides. */
export interface PushConsumerModelPorts {
  readonly offsets: OffsetStore;
  readonly sendBack$: ((message: ConsumerMessage, delayLevel: number) => Observable<void>) | undefined;
}

/** Clustering keeps offsets on the broker and sends failures back there; broadcasting keeps them in a local file. */
export function createPushConsumerModelPorts(deps: PushConsumerModelPortsDeps): PushConsumerModelPorts {
  const { instance, api, routes, options, offsetStoreDir, logger } = deps;
  const ports = { group: options.group, timeoutMs: instance.options.requestTimeoutMs };
  const clustering = options.model === 'CLUSTERING';
  const offsets = createOffsetStore(
    clustering
      ? createRemoteOffsetPort(api, routes, ports)
      : createLocalOffsetPort({
          clientId: instance.clientId,
          group: options.group,
          ...(offsetStoreDir === undefined ? {} : { dir: offsetStoreDir }),
        }),
    {
      scheduler: instance.options.scheduler,
      onError: (error, queue) => {
        logger.warn({ queue, error: String(error) }, 'offset write failed; retried at the next persist');
      },
      ...(options.persistOffsetIntervalMs === undefined
        ? {}
        : { intervalMs: options.persistOffsetIntervalMs }),
    },
  );
  // broadcasting has no retry topic: a retry is redelivered locally
  const sendBack$ = clustering
    ? createSendBackPort(api, { ...ports, maxReconsumeTimes: options.maxReconsumeTimes })
    : undefined;
  return { offsets, sendBack$ };
}
