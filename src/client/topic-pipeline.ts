import {
  type Observable,
  Subject,
  Subscription,
  concat,
  defer,
  finalize,
  ignoreElements,
  merge,
  switchMap,
  tap,
  timer,
  concatMap,
} from 'rxjs';
import type { Logger } from '../logger.js';
import type { MessageExt } from '../protocol/message.js';
import type { ClientInstance } from './client-instance.js';
import { consumeAssigned$ } from './consume-assigned.js';
import type { ConsumerApi } from './consumer-api.js';
import type { ConsumerMessage } from './consumer-message.js';
import { type RouteLookup, createOffsetLookupPorts, createRebalancePorts } from './consumer-ports.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';
import type { PullRequest, PullResult } from './pull-loop.js';
import { createPullPort } from './pull-port.js';
import type { ConsumerEvent, ResolvedPushConsumerOptions } from './push-consumer-options.js';
import type { MessageQueue } from './queue-selector.js';
import { REBALANCE_INTERVAL_MS, type RebalancePorts, rebalance$ } from './rebalance/rebalance.js';
import { startOffset$ } from './start-offset.js';
import { type OrderlyQueues, createOrderlyQueues } from './orderly/orderly-queues.js';
import { type QueueLocks, createQueueLocks } from './orderly/queue-locks.js';
import type { MessageSelector } from './subscription.js';

/** The first retry of a failed rebalance (no route yet, broker down); doubled per failure up to the interval. */
export const REBALANCE_RETRY_FIRST_MS = 1000;

/** The extra time a parked pull's answer may take beyond the suspend time before the call times out. */
const PULL_TIMEOUT_MARGIN_MS = 15_000;

export interface TopicPipelineDeps {
  readonly instance: ClientInstance;
  readonly api: ConsumerApi;
  readonly routes: RouteLookup;
  readonly options: ResolvedPushConsumerOptions;
  readonly offsets: OffsetStore;
  readonly sendBack$?: (message: ConsumerMessage, delayLevel: number) => Observable<void>;
  readonly events: Subject<ConsumerEvent>;
  /** This topic's windows by queueKey, filled while the pipeline runs. */
  readonly windows: Map<string, ProcessQueue>;
  readonly onAssigned: (queues: readonly MessageQueue[]) => void;
  readonly logger: Logger;
  /** An orderly subscription: broker locks in clustering, and a batch of a queue at a time. */
  readonly orderly?: boolean;
  /** Called as the pipeline ends with what gives its broker locks up, for the consumer to run before it leaves. */
  readonly onStop?: (release$: Observable<never>) => void;
  /** Given the orderly subscription's view of the broker locks it holds (clustering only). */
  readonly onLocks?: (held: () => readonly MessageQueue[]) => void;
}

/**
 * One topic of a push consumer, as an Observable of its messages: rebalance (every interval, on
 * NOTIFY_CONSUMER_IDS_CHANGED, and sooner after a failed run) decides the queues; each owned queue is pulled
 * into its window with long polling.
 */
export function topicMessages$(
  topic: string,
  selector: MessageSelector,
  subVersion: number,
  deps: TopicPipelineDeps,
): Observable<ConsumerMessage> {
  const { instance, options, logger } = deps;
  const broadcasting = options.model === 'BROADCASTING';
  const timeoutMs = instance.options.requestTimeoutMs;
  const scheduler = instance.options.scheduler;
  return defer(() => {
    const retrySoon$ = new Subject<void>();
    const timers = new Subscription();
    let failures = 0;

    const port = createPullPort(deps.api, deps.routes, {
      group: options.group,
      expression: selector.expression,
      expressionType: selector.type,
      subVersion,
      broadcasting,
      batchSize: options.pullBatchSize,
      ...(options.brokerSuspendMaxTimeMs === undefined
        ? {}
        : {
            suspendTimeoutMs: options.brokerSuspendMaxTimeMs,
            pullTimeoutMs: options.brokerSuspendMaxTimeMs + PULL_TIMEOUT_MARGIN_MS,
          }),
    });
    let pulls = 0;
    const pull$ = (request: PullRequest): Observable<PullResult<MessageExt>> =>
      defer(() => {
        const id = ++pulls;
        deps.events.next({ type: 'pull', id, queue: request.queue, offset: request.queueOffset });
        return port(request).pipe(
          tap((result) => {
            deps.events.next({
              type: 'pulled',
              id,
              queue: request.queue,
              status: result.status,
              count: result.messages.length,
              nextOffset: result.nextBeginOffset,
            });
          }),
        );
      });

    const base = createRebalancePorts(deps.api, deps.routes, { group: options.group, timeoutMs });
    const ports: RebalancePorts = {
      queues$: (t) => base.queues$(t).pipe(tap(() => (failures = 0))),
      // a broker that does not list us has not had our heartbeat yet (its route was unknown until now)
      clientIds$: (group, t) =>
        base
          .clientIds$(group, t)
          .pipe(
            switchMap((ids) =>
              ids.includes(instance.clientId)
                ? [ids]
                : concat(instance.heartbeat$().pipe(ignoreElements()), base.clientIds$(group, t)),
            ),
          ),
    };

    const lookups = createOffsetLookupPorts(deps.api, deps.routes, (q) => deps.offsets.readStored$(q), {
      group: options.group,
      timeoutMs,
    });
    const intervalMs = options.rebalanceIntervalMs ?? REBALANCE_INTERVAL_MS;
    const assignment$ = rebalance$(ports, {
      group: options.group,
      topic,
      clientId: instance.clientId,
      broadcasting,
      intervalMs,
      notify$: merge(instance.consumerIdsChanged$(options.group), retrySoon$),
      scheduler,
      ...(options.allocateStrategy === undefined ? {} : { strategy: options.allocateStrategy }),
      onError: (error) => {
        const delay = Math.min(REBALANCE_RETRY_FIRST_MS * 2 ** failures++, intervalMs);
        logger.warn({ topic, error: String(error), retryInMs: delay }, 'rebalance failed');
        timers.add(
          timer(delay, scheduler).subscribe(() => {
            retrySoon$.next();
          }),
        );
      },
    }).pipe(
      tap((a) => {
        deps.onAssigned(a.queues);
        deps.events.next({ type: 'rebalanced', topic, queues: a.queues, added: a.added, removed: a.removed });
      }),
    );

    const orderly = deps.orderly === true ? orderlyParts(topic, deps) : undefined;
    const assigned$ =
      orderly?.locks === undefined
        ? assignment$
        : assignment$.pipe(
            concatMap((a) => concat(orderly.locks!.want$(a.queues).pipe(ignoreElements()), [a])),
          );

    const messages$ = consumeAssigned$(assigned$, {
      startOffset$: (queue) =>
        startOffset$(queue, options.consumeFromWhere, options.consumeTimestamp, lookups),
      pull$,
      offsets: deps.offsets,
      windows: deps.windows,
      scheduler,
      ...(deps.sendBack$ === undefined ? {} : { sendBack$: deps.sendBack$ }),
      ...(options.pullThresholds === undefined ? {} : { limits: options.pullThresholds }),
      ...(options.redeliverLaterMs === undefined ? {} : { redeliverLaterMs: options.redeliverLaterMs }),
      onError: (error, queue) => {
        logger.warn({ queue, error: String(error) }, 'consumer call failed');
      },
      ...(orderly === undefined ? {} : { orderly: orderly.queues }),
    });
    const locks = orderly?.locks;
    if (locks !== undefined) deps.onLocks?.(() => locks.held());
    return (locks === undefined ? messages$ : merge(messages$, locks.renewLoop$())).pipe(
      finalize(() => {
        timers.unsubscribe();
        if (locks !== undefined)
          deps.onStop?.(defer(() => locks.unlock$(locks.held())).pipe(ignoreElements()));
      }),
    );
  });
}

/** The locks of an orderly subscription: broker locks only in clustering, where a DLQ takes exhausted messages. */
function orderlyParts(
  topic: string,
  deps: TopicPipelineDeps,
): { readonly queues: OrderlyQueues; readonly locks?: QueueLocks } {
  const { instance, options, logger } = deps;
  const locks =
    options.model === 'CLUSTERING'
      ? createQueueLocks({
          invoke: (address, request, timeoutMs) => instance.remoting.invoke$(address, request, timeoutMs),
          routes: deps.routes,
          group: options.group,
          clientId: instance.clientId,
          timeoutMs: instance.options.requestTimeoutMs,
          scheduler: instance.options.scheduler,
          ...(options.lockIntervalMs === undefined ? {} : { renewIntervalMs: options.lockIntervalMs }),
          onError: (error, brokerName) => {
            logger.warn({ topic, brokerName, error: String(error) }, 'queue lock call failed');
          },
        })
      : undefined;
  const sendBack$ = deps.sendBack$;
  const queues = createOrderlyQueues(
    {
      batchSize: options.consumeMessageBatchMaxSize,
      suspendMs: options.suspendCurrentQueueTimeMillis,
      maxReconsumeTimes: options.maxReconsumeTimes,
      scheduler: instance.options.scheduler,
      // a negative delay level sends the message straight to %DLQ%group
      ...(sendBack$ === undefined ? {} : { deadLetter$: (m: ConsumerMessage) => sendBack$(m, -1) }),
      onGiveUp: (m, reason) => {
        logger.warn(
          { topic, msgId: m.msgId, queueOffset: m.queueOffset, reason },
          'orderly message given up',
        );
      },
    },
    locks,
  );
  return locks === undefined ? { queues } : { queues, locks };
}
