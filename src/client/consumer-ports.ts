import { type Observable, map, switchMap, throwError } from 'rxjs';
import { MQClientError } from '../errors.js';
import type { TopicRouteData } from '../protocol/headers/namesrv-bodies.js';
import { MessageProperty } from '../protocol/properties.js';
import type { ConsumerApi } from './consumer-api.js';
import type { ConsumerMessage } from './consumer-message.js';
import type { OffsetStorePort } from './offset-store.js';
import type { MessageQueue } from './queue-selector.js';
import type { RebalancePorts } from './rebalance/rebalance.js';
import type { StartOffsetPorts } from './start-offset.js';
import { anyBrokerAddress, brokerAddress, toSubscribeQueues } from './topic-route.js';

/** RouteService.route$: the cached route of a topic, fetched when missing. */
export type RouteLookup = (topic: string) => Observable<TopicRouteData>;

export interface ConsumerPortsOptions {
  readonly group: string;
  /** mqClientApiTimeout */
  readonly timeoutMs: number;
}

/** The address of a queue's master, for the calls only a master answers (max and search offsets). */
export function masterOf$(routes: RouteLookup, queue: MessageQueue): Observable<string> {
  return brokerOf$(routes, queue, brokerAddress);
}

/**
 * Where a queue's committed offset is read and written: its master, or a slave while the route has none
 * (RocketMQ's findBrokerAddressInAdmin). The slave keeps the offsets meanwhile; once the master is back it
 * gets them from the client's memory, which is ahead of the master's stale table.
 */
export function offsetHolderOf$(routes: RouteLookup, queue: MessageQueue): Observable<string> {
  return brokerOf$(routes, queue, anyBrokerAddress);
}

function brokerOf$(
  routes: RouteLookup,
  queue: MessageQueue,
  pick: (route: TopicRouteData, brokerName: string) => string | undefined,
): Observable<string> {
  return routes(queue.topic).pipe(
    switchMap((route) => {
      const address = pick(route, queue.brokerName);
      return address === undefined
        ? throwError(
            () =>
              new MQClientError(
                'ERR_BROKER_NOT_FOUND',
                `no master for ${queue.brokerName} of ${queue.topic}`,
              ),
          )
        : [address];
    }),
  );
}

/** Rebalance inputs from the route cache and the broker: readable queues, and the group as one broker sees it. */
export function createRebalancePorts(
  api: ConsumerApi,
  routes: RouteLookup,
  options: ConsumerPortsOptions,
): RebalancePorts {
  return {
    queues$: (topic) => routes(topic).pipe(map((route) => toSubscribeQueues(topic, route))),
    clientIds$: (group, topic) =>
      routes(topic).pipe(
        switchMap((route) => {
          // every broker of the topic knows the whole group through heartbeats, so any of them will do
          const brokers = route.brokerDatas.map((b) => b.brokerName).sort();
          const address = brokers.map((b) => anyBrokerAddress(route, b)).find((a) => a !== undefined);
          return address === undefined
            ? throwError(() => new MQClientError('ERR_BROKER_NOT_FOUND', `no broker serves ${topic}`))
            : api.consumerIds$(address, group, options.timeoutMs);
        }),
      ),
  };
}

/** Clustering offsets on the brokers (RocketMQ's RemoteBrokerOffsetStore). */
export function createRemoteOffsetPort(
  api: ConsumerApi,
  routes: RouteLookup,
  options: ConsumerPortsOptions,
): OffsetStorePort {
  return {
    read$: (queue) =>
      offsetHolderOf$(routes, queue).pipe(
        switchMap((address) => api.queryConsumerOffset$(address, options.group, queue, options.timeoutMs)),
      ),
    write$: (queue, offset) =>
      offsetHolderOf$(routes, queue).pipe(
        switchMap((address) =>
          api.updateConsumerOffset$(
            address,
            {
              consumerGroup: options.group,
              topic: queue.topic,
              queueId: queue.queueId,
              commitOffset: offset,
            },
            options.timeoutMs,
          ),
        ),
      ),
  };
}

/** What startOffset$ needs beyond the stored offset: the queue's max offset and a search by time. */
export function createOffsetLookupPorts(
  api: ConsumerApi,
  routes: RouteLookup,
  stored$: StartOffsetPorts['stored$'],
  options: ConsumerPortsOptions,
): StartOffsetPorts {
  return {
    stored$,
    maxOffset$: (queue) =>
      masterOf$(routes, queue).pipe(
        switchMap((address) => api.maxOffset$(address, queue, options.timeoutMs)),
      ),
    searchOffset$: (queue, timestamp) =>
      masterOf$(routes, queue).pipe(
        switchMap((address) => api.searchOffset$(address, queue, timestamp, options.timeoutMs)),
      ),
  };
}

/** maxReconsumeTimes −1 in RocketMQ means this many. */
export const DEFAULT_MAX_RECONSUME_TIMES = 16;

/**
 * CONSUMER_SEND_MSG_BACK to the broker that stored the message (its store host), naming the record by its
 * CommitLog offset so the broker re-stores it on %RETRY%group, or on %DLQ%group once retries run out.
 */
export function createSendBackPort(
  api: ConsumerApi,
  options: ConsumerPortsOptions & { readonly maxReconsumeTimes?: number },
): (message: ConsumerMessage, delayLevel: number) => Observable<void> {
  return (message, delayLevel) => {
    const host = message.storeHost;
    const address = host.address.includes(':')
      ? `[${host.address}]:${host.port}`
      : `${host.address}:${host.port}`;
    return api.sendBack$(
      address,
      {
        offset: message.commitLogOffset,
        group: options.group,
        delayLevel,
        originMsgId: message.properties.get(MessageProperty.ORIGIN_MESSAGE_ID) ?? message.msgId,
        originTopic: message.topic,
        unitMode: false,
        maxReconsumeTimes: options.maxReconsumeTimes ?? DEFAULT_MAX_RECONSUME_TIMES,
      },
      options.timeoutMs,
    );
  };
}
