import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  catchError,
  defer,
  filter,
  forkJoin,
  map,
  merge,
  NEVER,
  timer,
} from 'rxjs';
import { serviceLoop } from '../../operators/service-loop.js';
import type { MessageQueue } from '../queue-selector.js';
import { type AllocateStrategy, allocateAveragely } from './strategies.js';

/** rocketmq.client.rebalance.waitInterval */
export const REBALANCE_INTERVAL_MS = 20_000;

/** Where a rebalance run gets its inputs; specs replace both with cold(). */
export interface RebalancePorts {
  /** GET_CONSUMER_LIST_BY_GROUP against one broker of the topic. */
  clientIds$(group: string, topic: string): Observable<readonly string[]>;
  /** The topic's readable queues (route-service, toSubscribeQueues). */
  queues$(topic: string): Observable<readonly MessageQueue[]>;
}

export interface RebalanceOptions {
  readonly group: string;
  readonly topic: string;
  readonly clientId: string;
  readonly strategy?: AllocateStrategy;
  /** BROADCASTING takes every queue and never asks for the group's members. */
  readonly broadcasting?: boolean;
  readonly intervalMs?: number;
  /** NOTIFY_CONSUMER_IDS_CHANGED from a broker: rebalance now rather than at the next tick. */
  readonly notify$?: Observable<unknown>;
  /** Sees a failed run; the loop carries on and tries again at the next tick, like RocketMQ. */
  readonly onError?: (error: unknown) => void;
  readonly scheduler?: SchedulerLike;
}

export interface Assignment {
  readonly queues: readonly MessageQueue[];
  readonly added: readonly MessageQueue[];
  readonly removed: readonly MessageQueue[];
}

export const queueKey = (q: MessageQueue): string => `${q.topic}@${q.brokerName}@${q.queueId}`;

/** MessageQueue.compareTo: topic, then broker name, then queue id. */
export const compareQueues = (a: MessageQueue, b: MessageQueue): number =>
  a.topic < b.topic
    ? -1
    : a.topic > b.topic
      ? 1
      : a.brokerName < b.brokerName
        ? -1
        : a.brokerName > b.brokerName
          ? 1
          : a.queueId - b.queueId;

/**
 * The queues this client owns, re-computed every 20 s and on notify; emits only when the set changes (the
 * first run always emits, even an empty set). Runs never overlap, and a notify during a run starts one more
 * run after it, so a membership change is never left for the next tick.
 */
export function rebalance$(ports: RebalancePorts, options: RebalanceOptions): Observable<Assignment> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const strategy = options.strategy ?? allocateAveragely;
  const triggers$ = merge(
    timer(0, options.intervalMs ?? REBALANCE_INTERVAL_MS, scheduler),
    options.notify$ ?? NEVER,
  );
  return defer(() => {
    let current: Map<string, MessageQueue> | undefined;
    const allocate$ = (): Observable<MessageQueue[]> => {
      const queues$ = ports.queues$(options.topic).pipe(map((qs) => [...qs].sort(compareQueues)));
      if (options.broadcasting === true) return queues$;
      return forkJoin([queues$, ports.clientIds$(options.group, options.topic)]).pipe(
        map(([queues, ids]) => strategy(options.group, options.clientId, queues, [...new Set(ids)].sort())),
      );
    };
    const diff = (mine: readonly MessageQueue[]): Assignment | undefined => {
      const next = new Map(mine.map((q) => [queueKey(q), q]));
      const previous = current;
      current = next;
      if (previous === undefined) return { queues: mine, added: mine, removed: [] };
      const added = mine.filter((q) => !previous.has(queueKey(q)));
      const removed = [...previous].filter(([k]) => !next.has(k)).map(([, q]) => q);
      return added.length === 0 && removed.length === 0 ? undefined : { queues: mine, added, removed };
    };
    return serviceLoop(
      () =>
        allocate$().pipe(
          map(diff),
          catchError((error: unknown) => {
            options.onError?.(error);
            return EMPTY;
          }),
        ),
      { wakeup$: triggers$ },
    ).pipe(filter((a): a is Assignment => a !== undefined));
  });
}
