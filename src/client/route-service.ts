import {
  type Observable,
  catchError,
  defer,
  interval,
  map,
  mergeMap,
  shareReplay,
  tap,
  throwError,
  EMPTY,
  finalize,
} from 'rxjs';
import { MQBrokerError, MQClientError, RxRocketError } from '../errors.js';
import { type TopicRouteData, decodeTopicRouteData } from '../protocol/headers/namesrv-bodies.js';
import { type RemotingCommand, createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { RemotingClient } from '../remoting/client.js';
import type { ResolvedClientOptions } from './client-options.js';

/**
 * Topic routes from the name servers: cached per topic, fetched once however many callers ask at the same
 * time, refreshed every pollNameServerInterval while the client lives. A name server that cannot be
 * reached is skipped for the next one in the list.
 */
export class RouteService {
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly inFlight = new Map<string, Observable<TopicRouteData>>();
  private namesrvIndex = 0;

  constructor(
    private readonly remoting: RemotingClient,
    private readonly options: ResolvedClientOptions,
  ) {}

  /** The cached route, or a fresh one. Errors with MQClientError code ERR_TOPIC_NOT_EXIST for an unknown topic. */
  route$(topic: string): Observable<TopicRouteData> {
    return defer(() => {
      const cached = this.routes.get(topic);
      return cached === undefined ? this.fetch$(topic) : [cached];
    });
  }

  cached(topic: string): TopicRouteData | undefined {
    return this.routes.get(topic);
  }

  cachedTopics(): readonly string[] {
    return [...this.routes.keys()];
  }

  /** Fetches from the name server and updates the cache; concurrent calls for one topic share a request. */
  fetch$(topic: string): Observable<TopicRouteData> {
    return defer(() => {
      let shared = this.inFlight.get(topic);
      if (shared === undefined) {
        shared = this.invokeNamesrv$(
          createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic } }),
        ).pipe(
          map((response) => this.parseRoute(topic, response)),
          tap((route) => this.routes.set(topic, route)),
          finalize(() => this.inFlight.delete(topic)),
          shareReplay({ bufferSize: 1, refCount: false }),
        );
        this.inFlight.set(topic, shared);
      }
      return shared;
    });
  }

  /** Every known broker address (masters and slaves) across cached routes: where heartbeats go. */
  brokerAddresses(): Set<string> {
    const addresses = new Set<string>();
    for (const route of this.routes.values()) {
      for (const broker of route.brokerDatas)
        for (const addr of Object.values(broker.brokerAddrs)) addresses.add(addr);
    }
    return addresses;
  }

  /** The periodic refresh; unsubscribe to stop it. A topic that disappeared keeps its last route. */
  refreshLoop$(): Observable<TopicRouteData> {
    return interval(this.options.pollNameServerIntervalMs, this.options.scheduler).pipe(
      mergeMap(() => this.cachedTopics()),
      mergeMap((topic) =>
        this.fetch$(topic).pipe(
          catchError((error: unknown) => {
            this.options.logger.warn({ topic, error: String(error) }, 'route refresh failed');
            return EMPTY;
          }),
        ),
      ),
    );
  }

  /** Tries each name server once, starting with the one that answered last. */
  invokeNamesrv$(request: RemotingCommand): Observable<RemotingCommand> {
    const addresses = this.options.namesrvAddresses;
    const attempt = (tried: number): Observable<RemotingCommand> => {
      const index = (this.namesrvIndex + tried) % addresses.length;
      const address = addresses[index]!;
      return this.remoting.invoke$(address, request, this.options.requestTimeoutMs).pipe(
        tap(() => {
          this.namesrvIndex = index;
        }),
        catchError((error: unknown) =>
          error instanceof RxRocketError && error.retriable && tried + 1 < addresses.length
            ? attempt(tried + 1)
            : throwError(() => error),
        ),
      );
    };
    return defer(() => attempt(0));
  }

  private parseRoute(topic: string, response: RemotingCommand): TopicRouteData {
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) {
      throw new MQClientError(
        'ERR_TOPIC_NOT_EXIST',
        `no route for topic ${topic}: ${response.remark ?? ''}`,
        response.code,
      );
    }
    if (response.code !== ResponseCode.SUCCESS || response.body === undefined) {
      throw new MQBrokerError(response.code, response.remark ?? 'route query failed');
    }
    return decodeTopicRouteData(response.body);
  }
}
