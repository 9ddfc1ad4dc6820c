import {
  EMPTY,
  type Observable,
  Subject,
  catchError,
  concat,
  defer,
  filter,
  finalize,
  from,
  ignoreElements,
  lastValueFrom,
  map,
  merge,
  share,
  switchMap,
  takeUntil,
} from 'rxjs';
import { MQClientError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseSql92 } from '../protocol/filter/sql92.js';
import type { ConsumerData, SubscriptionData } from '../protocol/headers/client.js';
import { type ClientInstance, acquireClientInstance } from './client-instance.js';
import { consumeConcurrently } from './consume-concurrently.js';
import { type ConsumerApi, createConsumerApi } from './consumer-api.js';
import type { ConsumerMessage } from './consumer-message.js';
import type { RouteLookup } from './consumer-ports.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue, ProcessQueueStats } from './process-queue.js';
import {
  type ConsumerEvent,
  type PushConsumerOptions,
  type ResolvedPushConsumerOptions,
  resolvePushConsumerOptions,
} from './push-consumer-options.js';
import {
  type ConsumeHandler,
  type ConsumeOptions,
  type ConsumeResult,
  DEFAULT_CONSUME_CONCURRENCY,
  type PushConsumer,
  type SubscribeOptions,
} from './push-consumer-api.js';
import { createPushConsumerModelPorts } from './push-consumer-model-ports.js';
import type { MessageQueue } from './queue-selector.js';
import { RETRY_TOPIC_PREFIX } from './start-offset.js';
import { type MessageSelector, byTag, subscriptionData, toSelector } from './subscription.js';
import { topicMessages$ } from './topic-pipeline.js';
import { consumeOrderly } from './orderly/consume-orderly.js';

export type {
  ConsumeHandler,
  ConsumeOptions,
  ConsumeResult,
  PushConsumer,
  SubscribeOptions,
} from './push-consumer-api.js';
export { DEFAULT_CONSUME_CONCURRENCY } from './push-consumer-api.js';

export function createPushConsumer(options: PushConsumerOptions): PushConsumer {
  return new PushConsumerImpl(options);
}

class PushConsumerImpl implements PushConsumer {
  readonly events$: Observable<ConsumerEvent>;
  private readonly instance: ClientInstance;
  private readonly options: ResolvedPushConsumerOptions;
  private readonly logger: Logger;
  private readonly routes: RouteLookup;
  private readonly api: ConsumerApi;
  private readonly offsets: OffsetStore;
  private readonly sendBack$:
    ((message: ConsumerMessage, delayLevel: number) => Observable<void>) | undefined;
  private readonly events = new Subject<ConsumerEvent>();
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private readonly assignments = new Map<string, readonly MessageQueue[]>();
  private readonly windows = new Set<Map<string, ProcessQueue>>();
  private readonly closing$ = new Subject<void>();
  /** Broker locks of ended orderly pipelines, given up after the offsets are written. */
  private readonly releases: Observable<never>[] = [];
  private readonly locked = new Map<string, () => readonly MessageQueue[]>();
  private readonly persistLoop$: Observable<never>;
  private readonly retryMessages$: Observable<ConsumerMessage>;
  /** Offset writes and UNREGISTER_CLIENT after a last unsubscribe, which shutdown() waits for. */
  private pending: Promise<void> = Promise.resolve();
  private registered = false;
  private closed = false;

  constructor(userOptions: PushConsumerOptions) {
    if (userOptions.group.length === 0) throw new RangeError('a push consumer needs a group');
    this.instance = acquireClientInstance(userOptions);
    this.options = resolvePushConsumerOptions(userOptions, this.instance.now());
    this.logger = this.instance.options.logger.child({
      component: 'push-consumer',
      group: userOptions.group,
    });
    this.events$ = this.events.asObservable();
    this.routes = (topic) => this.instance.routes.route$(topic);
    this.api = createConsumerApi((address, request, timeoutMs) =>
      this.instance.remoting.invoke$(address, request, timeoutMs),
    );
    ({ offsets: this.offsets, sendBack$: this.sendBack$ } = createPushConsumerModelPorts({
      instance: this.instance,
      api: this.api,
      routes: this.routes,
      options: this.options,
      offsetStoreDir: userOptions.offsetStoreDir,
      logger: this.logger,
    }));
    this.persistLoop$ = this.offsets.persistLoop$().pipe(share());
    this.retryMessages$ = this.pipeline$(`${RETRY_TOPIC_PREFIX}${this.group}`, byTag(), 0).pipe(
      // a redelivery for a topic no longer subscribed goes back to the broker: on to its next try, or the DLQ
      filter((m) => {
        if (this.subscriptions.has(m.topic)) return true;
        this.logger.warn(
          { topic: m.topic, msgId: m.msgId },
          'redelivery for a topic not subscribed; sent back',
        );
        m.retry();
        return false;
      }),
      share(),
    );
  }

  get group(): string {
    return this.options.group;
  }

  get clientId(): string {
    return this.instance.clientId;
  }

  messages$(
    topic: string,
    expression?: string | MessageSelector,
    options: SubscribeOptions = {},
  ): Observable<ConsumerMessage> {
    // a group left a moment ago is joined again only once the leaving is done
    return defer(() => from(this.pending)).pipe(
      switchMap(() => this.subscribe$(topic, expression, options.orderly === true)),
    );
  }

  private subscribe$(
    topic: string,
    expression: string | MessageSelector | undefined,
    orderly: boolean,
  ): Observable<ConsumerMessage> {
    return defer(() => {
      if (this.closed)
        throw new MQClientError('ERR_CONSUMER_CLOSED', `push consumer ${this.group} is shut down`);
      if (this.subscriptions.has(topic))
        throw new MQClientError('ERR_ALREADY_SUBSCRIBED', `${this.group} already consumes ${topic}`);
      const selector = toSelector(expression);
      // a bad condition fails here, with the parser's message, rather than at every pull
      if (selector.type === 'SQL92') parseSql92(selector.expression);
      const subVersion = this.instance.now();
      this.subscriptions.set(topic, subscriptionData(topic, selector, subVersion));
      this.register();
      const own$ = this.pipeline$(topic, selector, subVersion, orderly);
      // an orderly consumer retries locally and dead-letters directly: nothing of its goes to %RETRY%group
      const retried$ =
        this.options.model === 'CLUSTERING' && !orderly
          ? this.retryMessages$.pipe(filter((m) => m.topic === topic))
          : EMPTY;
      return concat(this.announce$(topic), merge(own$, retried$, this.persistLoop$)).pipe(
        takeUntil(this.closing$),
        finalize(() => {
          this.unsubscribed(topic);
        }),
      );
    });
  }

  consume$(
    topic: string,
    expression: string | MessageSelector,
    handler: ConsumeHandler,
    options: ConsumeOptions = {},
  ): Observable<ConsumeResult> {
    const concurrency = options.concurrency ?? DEFAULT_CONSUME_CONCURRENCY;
    if (options.orderly === true)
      return this.messages$(topic, expression, options).pipe(
        consumeOrderly(handler, concurrency, this.logger),
      );
    return this.messages$(topic, expression).pipe(consumeConcurrently(handler, concurrency, this.logger));
  }

  assignment(topic: string): readonly MessageQueue[] {
    return this.assignments.get(topic) ?? [];
  }

  lockedQueues(topic: string): readonly MessageQueue[] {
    return this.locked.get(topic)?.() ?? [];
  }

  processQueueStats(): ReadonlyMap<string, ProcessQueueStats> {
    const stats = new Map<string, ProcessQueueStats>();
    for (const windows of this.windows) for (const [key, pq] of windows) stats.set(key, pq.stats());
    return stats;
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing$.next();
    await this.pending;
    await this.instance.release();
  }

  /** One topic's pipeline with its windows and assignment kept where stats and assignment() read them. */
  private pipeline$(
    topic: string,
    selector: MessageSelector,
    subVersion: number,
    orderly = false,
  ): Observable<ConsumerMessage> {
    return defer(() => {
      const windows = new Map<string, ProcessQueue>();
      this.windows.add(windows);
      return topicMessages$(topic, selector, subVersion, {
        instance: this.instance,
        api: this.api,
        routes: this.routes,
        options: this.options,
        offsets: this.offsets,
        events: this.events,
        windows,
        logger: this.logger,
        onAssigned: (queues) => this.assignments.set(topic, queues),
        orderly,
        onStop: (release$) => this.releases.push(release$),
        onLocks: (held) => this.locked.set(topic, held),
        ...(this.sendBack$ === undefined ? {} : { sendBack$: this.sendBack$ }),
      }).pipe(
        finalize(() => {
          this.windows.delete(windows);
          this.assignments.delete(topic);
          this.locked.delete(topic);
        }),
      );
    });
  }

  /** The topic's route (so its brokers are known), then a heartbeat there carrying the new subscription. */
  private announce$(topic: string): Observable<never> {
    return concat(
      this.routes(topic).pipe(
        catchError((error: unknown) => {
          this.logger.warn({ topic, error: String(error) }, 'no route yet; the rebalance keeps trying');
          return EMPTY;
        }),
      ),
      this.instance.heartbeat$(),
    ).pipe(ignoreElements());
  }

  private register(): void {
    if (this.registered) return;
    this.instance.registerConsumer(this.group, () => this.consumerData());
    this.registered = true;
  }

  private unsubscribed(topic: string): void {
    this.subscriptions.delete(topic);
    const releases = this.releases.splice(0);
    const leaving = this.subscriptions.size === 0 && this.registered;
    if (!leaving && releases.length === 0) return;
    if (leaving) this.registered = false;
    // an orderly queue's next owner reads the offset once it gets the lock: written first, then unlocked
    const leave$ = concat(
      this.offsets.persist$(),
      merge(...releases),
      leaving ? this.instance.unregister$('consumer', this.group) : EMPTY,
    );
    this.pending = this.pending.then(() =>
      lastValueFrom(leave$.pipe(map(() => undefined)), { defaultValue: undefined }).catch(
        (error: unknown) => {
          this.logger.warn({ error: String(error) }, 'leaving the group failed');
        },
      ),
    );
  }

  private consumerData(): ConsumerData {
    const subscriptions = [...this.subscriptions.values()];
    if (this.options.model === 'CLUSTERING' && subscriptions.length > 0)
      subscriptions.push(subscriptionData(`${RETRY_TOPIC_PREFIX}${this.group}`, byTag(), 0));
    return {
      groupName: this.group,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: this.options.model,
      consumeFromWhere: this.options.consumeFromWhere,
      subscriptionDataSet: subscriptions,
      unitMode: false,
    };
  }
}
