import { EMPTY, type Observable, defaultIfEmpty, defer, last, switchMap } from 'rxjs';
import type { MessageModel } from '../../protocol/headers/client.js';
import type { MessageExt } from '../../protocol/message.js';
import type { ClientInstance } from '../client-instance.js';
import { createConsumerApi } from '../consumer-api.js';
import {
  type RouteLookup,
  createOffsetLookupPorts,
  createRebalancePorts,
  createRemoteOffsetPort,
  masterOf$,
} from '../consumer-ports.js';
import { createLocalOffsetPort } from '../local-offset-port.js';
import type { OffsetStorePort } from '../offset-store.js';
import { createPullPort } from '../pull-port.js';
import type { PullRequest, PullResult } from '../pull-loop.js';
import { toSubscribeQueues } from '../topic-route.js';
import type { TopicSubscription } from './assignment.js';
import type { PullConsumerPorts } from './pull-consumer-core-types.js';

export interface ClientPullConsumerPortsOptions {
  readonly group: string;
  readonly model: MessageModel;
  readonly pullBatchSize: number;
  readonly localOffsetStoreDir?: string;
}

/** The pull consumer's ports over a shared client instance: its connections, routes and heartbeat. */
export function createClientPullConsumerPorts(
  instance: ClientInstance,
  options: ClientPullConsumerPortsOptions,
): PullConsumerPorts {
  const api = createConsumerApi((address, request, timeoutMs) =>
    instance.remoting.invoke$(address, request, timeoutMs),
  );
  const routes: RouteLookup = (topic) => instance.routes.route$(topic);
  const portOptions = { group: options.group, timeoutMs: instance.options.requestTimeoutMs };
  const broadcasting = options.model === 'BROADCASTING';
  const offsets: OffsetStorePort = broadcasting
    ? createLocalOffsetPort({
        clientId: instance.clientId,
        group: options.group,
        ...(options.localOffsetStoreDir === undefined ? {} : { dir: options.localOffsetStoreDir }),
      })
    : createRemoteOffsetPort(api, routes, portOptions);
  const lookups = createOffsetLookupPorts(api, routes, (queue) => offsets.read$(queue), portOptions);
  // one pull port per subscription made: a new subVersion means a new expression
  const pullPorts = new Map<string, (request: PullRequest) => Observable<PullResult<MessageExt>>>();
  let registered = false;

  return {
    pull$: (request, subscription: TopicSubscription) => {
      const key = `${subscription.topic}\u0000${subscription.subVersion}`;
      let port = pullPorts.get(key);
      if (port === undefined) {
        port = createPullPort(api, routes, {
          group: options.group,
          expression: subscription.selector.expression,
          expressionType: subscription.selector.type,
          subVersion: subscription.subVersion,
          broadcasting,
          batchSize: options.pullBatchSize,
        });
        pullPorts.set(key, port);
      }
      return port(request);
    },
    offsets,
    minOffset$: (queue) =>
      masterOf$(routes, queue).pipe(
        switchMap((address) => api.minOffset$(address, queue, portOptions.timeoutMs)),
      ),
    maxOffset$: (queue) => lookups.maxOffset$(queue),
    searchOffset$: (queue, timestamp) => lookups.searchOffset$(queue, timestamp),
    queues$: (topic) => routes(topic).pipe(switchMap((route) => [toSubscribeQueues(topic, route)])),
    rebalance: createRebalancePorts(api, routes, portOptions),
    join$: (topic, describe) =>
      defer(() => {
        if (!registered) instance.registerConsumer(options.group, describe);
        registered = true;
        // the heartbeat goes to the brokers of known routes, so the topic's route comes first
        return routes(topic).pipe(
          switchMap(() => instance.heartbeat$()),
          defaultIfEmpty(undefined),
          last(),
        );
      }),
    membershipChanged$: instance.consumerIdsChanged$(options.group),
    leave$: () => (registered ? instance.unregister$('consumer', options.group) : EMPTY),
    release: () => instance.release(),
  };
}
