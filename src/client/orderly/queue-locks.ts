import {
  BehaviorSubject,
  EMPTY,
  type Observable,
  type SchedulerLike,
  catchError,
  defer,
  distinctUntilChanged,
  exhaustMap,
  ignoreElements,
  map,
  merge,
  switchMap,
  timer,
} from 'rxjs';
import { MQBrokerError } from '../../errors.js';
import {
  encodeLockBatchRequestBody,
  encodeUnlockBatchRequestBody,
  parseLockBatchResponseBody,
} from '../../protocol/headers/lock.js';
import { createRequest } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { Invoke } from '../consumer-api.js';
import { type RouteLookup, masterOf$ } from '../consumer-ports.js';
import type { MessageQueue } from '../queue-selector.js';
import { queueKey } from '../rebalance/rebalance.js';

/** rocketmq.client.rebalance.lockInterval: how often an orderly consumer renews its broker locks. */
export const LOCK_RENEW_INTERVAL_MS = 20_000;
/**
 * rocketmq.client.rebalance.lockMaxLiveTime: a lock not renewed for this long is no longer trusted by the
 * client, well before the broker's 60 s expiry hands the queue to someone else.
 */
export const CLIENT_LOCK_MAX_LIVE_MS = 30_000;

export interface QueueLocksOptions {
  readonly invoke: Invoke;
  readonly routes: RouteLookup;
  readonly group: string;
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly renewIntervalMs?: number;
  readonly onError?: (error: unknown, brokerName: string) => void;
}

/**
 * The broker half of orderly consumption in clustering (RocketMQ's lockAll/unlock in RebalanceImpl): the
 * queues a consumer wants are locked on their brokers with LOCK_BATCH_MQ; a queue is held only once its broker
 * said so, and stops being held when a renewal leaves it out or has not succeeded for 30 s.
 */
export interface QueueLocks {
  /** Replaces the wanted set and locks it at once (after a rebalance). */
  want$(queues: readonly MessageQueue[]): Observable<void>;
  /** Whether the queue is held now, re-emitted on each change; completes once it is not wanted any more. */
  held$(queue: MessageQueue): Observable<boolean>;
  /** The queues held now. */
  held(): readonly MessageQueue[];
  /** UNLOCK_BATCH_MQ for queues given up; they are no longer wanted nor held. */
  unlock$(queues: readonly MessageQueue[]): Observable<void>;
  /** Every wanted queue locked again every 20 s, including those a previous try did not get. */
  renewLoop$(): Observable<never>;
}

interface Entry {
  readonly queue: MessageQueue;
  readonly held$: BehaviorSubject<boolean>;
  lockedAt: number | undefined;
}

export function createQueueLocks(options: QueueLocksOptions): QueueLocks {
  const entries = new Map<string, Entry>();
  const { invoke, group, clientId, timeoutMs, scheduler } = options;

  const entryOf = (queue: MessageQueue): Entry => {
    const key = queueKey(queue);
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { queue, held$: new BehaviorSubject(false), lockedAt: undefined };
      entries.set(key, entry);
    }
    return entry;
  };

  const byBroker = (queues: readonly MessageQueue[]): MessageQueue[][] => {
    const groups = new Map<string, MessageQueue[]>();
    for (const q of queues) groups.set(q.brokerName, [...(groups.get(q.brokerName) ?? []), q]);
    return [...groups.values()];
  };

  const call$ = (code: number, queues: readonly MessageQueue[], body: Buffer) =>
    masterOf$(options.routes, queues[0]!).pipe(
      switchMap((address) =>
        invoke(address, createRequest(code, { body }), timeoutMs).pipe(
          map((response) => {
            if (response.code !== ResponseCode.SUCCESS)
              throw new MQBrokerError(response.code, response.remark ?? '', address);
            return response;
          }),
        ),
      ),
    );

  const lockOnBroker$ = (queues: readonly MessageQueue[]): Observable<never> => {
    const body = encodeLockBatchRequestBody({ consumerGroup: group, clientId, mqSet: queues });
    return call$(RequestCode.LOCK_BATCH_MQ, queues, body).pipe(
      map((response) => {
        const got = new Set(parseLockBatchResponseBody(response.body).lockOKMQSet.map(queueKey));
        const now = scheduler.now();
        for (const q of queues) {
          const entry = entries.get(queueKey(q));
          if (entry === undefined) continue; // unlocked while the answer was on its way
          if (got.has(queueKey(q))) entry.lockedAt = now;
          entry.held$.next(got.has(queueKey(q)));
        }
      }),
      catchError((error: unknown) => {
        options.onError?.(error, queues[0]!.brokerName);
        const now = scheduler.now();
        for (const q of queues) {
          const entry = entries.get(queueKey(q));
          if (entry?.lockedAt !== undefined && now - entry.lockedAt > CLIENT_LOCK_MAX_LIVE_MS)
            entry.held$.next(false);
        }
        return EMPTY;
      }),
      ignoreElements(),
    );
  };

  const lockAll$ = (): Observable<void> =>
    defer(() => merge(...byBroker([...entries.values()].map((e) => e.queue)).map(lockOnBroker$)));

  return {
    want$: (queues) =>
      defer(() => {
        const wanted = new Set(queues.map(queueKey));
        for (const [key, entry] of entries)
          if (!wanted.has(key)) {
            entry.held$.next(false);
            entry.held$.complete();
            entries.delete(key);
          }
        for (const q of queues) entryOf(q);
        return lockAll$();
      }),
    held$: (queue) => entries.get(queueKey(queue))?.held$.pipe(distinctUntilChanged()) ?? EMPTY,
    held: () => [...entries.values()].filter((e) => e.held$.value).map((e) => e.queue),
    unlock$: (queues) =>
      defer(() => {
        for (const q of queues) {
          const entry = entries.get(queueKey(q));
          entry?.held$.next(false);
          entry?.held$.complete();
          entries.delete(queueKey(q));
        }
        return merge(
          ...byBroker(queues).map((qs) =>
            call$(
              RequestCode.UNLOCK_BATCH_MQ,
              qs,
              encodeUnlockBatchRequestBody({ consumerGroup: group, clientId, mqSet: qs }),
            ).pipe(
              catchError((error: unknown) => {
                // the broker frees it after 60 s anyway
                options.onError?.(error, qs[0]!.brokerName);
                return EMPTY;
              }),
            ),
          ),
        ).pipe(ignoreElements());
      }),
    renewLoop$: () => {
      const every = options.renewIntervalMs ?? LOCK_RENEW_INTERVAL_MS;
      return timer(every, every, scheduler).pipe(exhaustMap(lockAll$), ignoreElements());
    },
  };
}
