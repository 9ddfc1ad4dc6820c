import {
  BehaviorSubject,
  type Observable,
  type SchedulerLike,
  catchError,
  defaultIfEmpty,
  defer,
  filter,
  finalize,
  firstValueFrom,
  forkJoin,
  map,
  merge,
  of,
  tap,
} from 'rxjs';
import { MQBrokerError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type BrokerIdentityHeader,
  type RegisterBrokerResponseHeader,
  decodeRegisterBrokerResponseHeader,
  encodeRegisterBrokerRequestHeader,
  encodeUnRegisterBrokerRequestHeader,
} from '../protocol/headers/namesrv.js';
import { encodeRegisterBrokerBody, maskedCrc32 } from '../protocol/headers/register-broker-body.js';
import type { TopicConfig } from '../protocol/headers/topic-admin.js';
import { type RemotingCommand, createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { RemotingClient } from '../remoting/client.js';
import { serviceLoop } from '../operators/service-loop.js';
import type { TopicConfigManager } from './managers/topic-config-manager.js';
import { isReadable, isWriteable } from './managers/topic-config.js';

export interface RegisterServiceDeps {
  readonly remoting: Pick<RemotingClient, 'invoke$'>;
  readonly namesrvAddresses: readonly string[];
  readonly identity: BrokerIdentityHeader;
  /** "host:port" slaves replicate from. */
  readonly haServerAddr: string;
  readonly topics: Pick<TopicConfigManager, 'all' | 'dataVersion' | 'changed$'>;
  readonly brokerPermission: number;
  /** Send the zlib form of the body (RocketMQ's compressedRegister). */
  readonly compressed: boolean;
  readonly periodMs: number;
  /** Per name server and call (registerBrokerTimeoutMills). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
}

/** How one name server took one registration round. */
export interface RegisterOutcome {
  readonly address: string;
  readonly ok: boolean;
}

/** RocketMQ's rule: register at least every 10 s and at most every 60 s, whatever the setting says. */
export const clampRegisterPeriod = (ms: number): number => Math.max(10_000, Math.min(ms, 60_000));

/**
 * Keeps the broker known to every name server (RocketMQ's registerBrokerAll): REGISTER_BROKER with the
 * topic table to each of them at once when `loop$` is subscribed, every period after, and whenever a topic
 * changes; UNREGISTER_BROKER to each at shutdown. A name server that does not answer is logged once per
 * outage and tried again on the next round; it never stops the broker. Subscribe to `loop$` once.
 */
export class RegisterService {
  private readonly down = new Set<string>();
  /** Name servers that accepted a registration: the first acceptance is logged, the periodic ones are not. */
  private readonly joined = new Set<string>();
  private readonly finished = new BehaviorSubject(0);
  private started = 0;
  private masterHeard: RegisterBrokerResponseHeader = {};
  /** The round whose end means "the name servers have seen the latest change". */
  private wanted = 0;

  /** Emits each round's outcomes; unsubscribing stops the loop. */
  readonly loop$: Observable<RegisterOutcome[]>;

  constructor(private readonly deps: RegisterServiceDeps) {
    const wakeup$ = merge(of(undefined), deps.topics.changed$).pipe(
      tap(() => {
        this.wanted = this.started + 1;
      }),
    );
    this.loop$ = serviceLoop(
      () =>
        defer(() => {
          const round = ++this.started;
          return this.round$().pipe(
            finalize(() => {
              this.finished.next(round);
            }),
          );
        }),
      {
        periodMs: deps.periodMs,
        wakeup$,
        ...(deps.scheduler === undefined ? {} : { scheduler: deps.scheduler }),
      },
    ).pipe(
      finalize(() => {
        this.finished.complete();
      }),
    );
  }

  /** Resolves once a round that began after the latest topic change has ended (or the loop has stopped). */
  registered(): Promise<void> {
    const target = this.wanted;
    return firstValueFrom(this.finished.pipe(filter((n) => n >= target)), { defaultValue: 0 }).then(
      () => undefined,
    );
  }

  /** UNREGISTER_BROKER to every name server; completes when each answered or failed, never errors. */
  unregisterAll$(): Observable<void> {
    return defer(() => {
      const request = createRequest(RequestCode.UNREGISTER_BROKER, {
        extFields: encodeUnRegisterBrokerRequestHeader(this.deps.identity),
      });
      return forkJoin(
        this.deps.namesrvAddresses.map((address) =>
          this.call$(address, request).pipe(
            catchError((error: unknown) => {
              this.deps.logger.warn(
                { address, error: String(error) },
                'unregistering from a name server failed',
              );
              return of(undefined);
            }),
          ),
        ),
      ).pipe(
        defaultIfEmpty([]),
        map(() => undefined),
      );
    });
  }

  private round$(): Observable<RegisterOutcome[]> {
    return defer(() => {
      const request = this.registerRequest();
      return forkJoin(
        this.deps.namesrvAddresses.map((address) =>
          this.call$(address, request).pipe(
            map((): RegisterOutcome => {
              if (this.down.delete(address))
                this.deps.logger.info({ address }, 'name server reachable again');
              else if (!this.joined.has(address))
                this.deps.logger.info({ address }, 'registered with a name server');
              this.joined.add(address);
              return { address, ok: true };
            }),
            catchError((error: unknown) => {
              if (!this.down.has(address)) {
                this.down.add(address);
                this.deps.logger.warn(
                  { address, error: String(error) },
                  'cannot register with a name server; retrying every round until it answers',
                );
              }
              return of({ address, ok: false });
            }),
          ),
        ),
      ).pipe(defaultIfEmpty([]));
    });
  }

  /**
   * A slave's master as the latest name server answer gave it (masterAddr, haServerAddr); empty for a master
   * or while the master is not registered.
   */
  get master(): RegisterBrokerResponseHeader {
    return this.masterHeard;
  }

  private call$(address: string, request: RemotingCommand): Observable<RemotingCommand> {
    return this.deps.remoting.invoke$(address, request, this.deps.timeoutMs).pipe(
      tap((response) => {
        if (response.code !== ResponseCode.SUCCESS)
          throw new MQBrokerError(response.code, response.remark ?? '', address);
        if (request.code === RequestCode.REGISTER_BROKER) {
          this.masterHeard = decodeRegisterBrokerResponseHeader(response.extFields);
        }
      }),
    );
  }

  /** The topic table as it is now; a broker without read or write permission lends it to every topic. */
  private registerRequest(): RemotingCommand {
    const { deps } = this;
    const limited = !isWriteable(deps.brokerPermission) || !isReadable(deps.brokerPermission);
    const topicConfigTable: Record<string, TopicConfig> = {};
    for (const [name, config] of deps.topics.all()) {
      topicConfigTable[name] = limited ? { ...config, perm: deps.brokerPermission } : config;
    }
    const body = encodeRegisterBrokerBody(
      {
        topicConfigSerializeWrapper: { topicConfigTable, dataVersion: deps.topics.dataVersion },
        filterServerList: [],
      },
      deps.compressed,
    );
    return createRequest(RequestCode.REGISTER_BROKER, {
      extFields: encodeRegisterBrokerRequestHeader({
        ...deps.identity,
        haServerAddr: deps.haServerAddr,
        compressed: deps.compressed,
        bodyCrc32: maskedCrc32(body),
      }),
      body,
    });
  }
}
