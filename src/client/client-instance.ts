import {
  type Observable,
  EMPTY,
  Subject,
  Subscription,
  catchError,
  defer,
  filter,
  forkJoin,
  map,
  mergeMap,
  of,
  timer,
} from 'rxjs';
import {
  type ConsumerData,
  decodeNotifyConsumerIdsChangedRequestHeader,
  encodeHeartbeatData,
} from '../protocol/headers/client.js';
import { createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { type RemotingClient, createRemotingClient } from '../remoting/client.js';
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from './client-options.js';
import { LatencyFaultTable } from './latency-fault.js';
import { RouteService } from './route-service.js';

/**
 * Everything producers and consumers of one process share per name-server set: the connection pool, topic
 * routes, the fault table, and the heartbeat loop. Reference counted: the last `release()` stops the loops,
 * unregisters from every broker and closes the connections.
 */
export class ClientInstance {
  readonly remoting: RemotingClient;
  readonly routes: RouteService;
  readonly faults = new LatencyFaultTable();
  private readonly producerGroups = new Set<string>();
  private readonly consumers = new Map<string, () => ConsumerData>();
  private readonly loops = new Subscription();
  private readonly idsChanged = new Subject<string>();
  private refs = 0;

  constructor(
    readonly options: ResolvedClientOptions,
    private readonly onClosed: () => void,
  ) {
    this.remoting = createRemotingClient({ logger: options.logger.child({ component: 'remoting-client' }) });
    this.routes = new RouteService(this.remoting, options);
    this.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
      const { consumerGroup } = decodeNotifyConsumerIdsChangedRequestHeader(request.extFields);
      this.idsChanged.next(consumerGroup);
      return of(undefined);
    });
    this.loops.add(this.routes.refreshLoop$().subscribe());
    this.loops.add(
      timer(1000, options.heartbeatIntervalMs, options.scheduler)
        .pipe(mergeMap(() => this.heartbeat$()))
        .subscribe(),
    );
  }

  get clientId(): string {
    return this.options.clientId;
  }

  now(): number {
    return this.options.scheduler.now();
  }

  retain(): void {
    this.refs++;
  }

  registerProducer(group: string): void {
    if (this.producerGroups.has(group)) {
      throw new RangeError(`producer group ${group} is already started in this client instance`);
    }
    this.producerGroups.add(group);
  }

  registerConsumer(group: string, data: () => ConsumerData): void {
    if (this.consumers.has(group)) {
      throw new RangeError(`consumer group ${group} is already started in this client instance`);
    }
    this.consumers.set(group, data);
  }

  /** NOTIFY_CONSUMER_IDS_CHANGED for `group` from any broker: a member joined or left, rebalance now. */
  consumerIdsChanged$(group: string): Observable<string> {
    return this.idsChanged.pipe(filter((g) => g === group));
  }

  /** Unregisters the group from every known broker (UNREGISTER_CLIENT), then forgets it. */
  unregister$(kind: 'producer' | 'consumer', group: string): Observable<void> {
    return defer(() => {
      if (kind === 'producer') this.producerGroups.delete(group);
      else this.consumers.delete(group);
      const extFields: Record<string, string> = { clientID: this.clientId };
      extFields[kind === 'producer' ? 'producerGroup' : 'consumerGroup'] = group;
      return this.toAllBrokers$(createRequest(RequestCode.UNREGISTER_CLIENT, { extFields }));
    });
  }

  /** HEART_BEAT to every known broker; failures are logged, never thrown (the next beat retries). */
  heartbeat$(): Observable<void> {
    return defer(() => {
      if (this.producerGroups.size === 0 && this.consumers.size === 0) return EMPTY;
      const body = encodeHeartbeatData({
        clientID: this.clientId,
        producerDataSet: [...this.producerGroups, 'CLIENT_INNER_PRODUCER'].map((groupName) => ({
          groupName,
        })),
        consumerDataSet: [...this.consumers.values()].map((data) => data()),
      });
      return this.toAllBrokers$(createRequest(RequestCode.HEART_BEAT, { body }));
    });
  }

  async release(): Promise<void> {
    this.refs--;
    if (this.refs > 0) return;
    this.loops.unsubscribe();
    this.onClosed();
    await this.remoting.close();
  }

  private toAllBrokers$(request: ReturnType<typeof createRequest>): Observable<void> {
    const addresses = [...this.routes.brokerAddresses()];
    if (addresses.length === 0) return EMPTY;
    return forkJoin(
      addresses.map((address) =>
        this.remoting.invoke$(address, request, this.options.requestTimeoutMs).pipe(
          catchError((error: unknown) => {
            this.options.logger.warn(
              { address, code: request.code, error: String(error) },
              'broker call failed',
            );
            return of(undefined);
          }),
        ),
      ),
    ).pipe(map(() => undefined));
  }
}

/**
 * The process-wide registry of instances. Module state on purpose: RocketMQ's MQClientManager is a
 * singleton so that producers and consumers created anywhere in a process share connections.
 */
const instances = new Map<string, ClientInstance>();

export function acquireClientInstance(options: ClientOptions): ClientInstance {
  const resolved = resolveClientOptions(options);
  const key = `${resolved.namesrvAddresses.join(';')}|${options.instanceName ?? ''}`;
  let instance = instances.get(key);
  if (instance === undefined) {
    instance = new ClientInstance(resolved, () => instances.delete(key));
    instances.set(key, instance);
  }
  instance.retain();
  return instance;
}
