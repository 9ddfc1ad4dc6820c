import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  asyncScheduler,
  catchError,
  defer,
  exhaustMap,
  ignoreElements,
  merge,
  tap,
  timer,
} from 'rxjs';
import type { MessageQueue } from './queue-selector.js';
import { queueKey } from './rebalance/rebalance.js';

/** persistConsumerOffsetInterval, and the delay before the first persist. */
export const PERSIST_INTERVAL_MS = 5000;
export const PERSIST_FIRST_DELAY_MS = 10_000;

/** Where offsets live: the broker (QUERY/UPDATE_CONSUMER_OFFSET) for clustering, a local file for broadcasting. */
export interface OffsetStorePort {
  /** undefined when nothing is stored for the queue yet. */
  read$(queue: MessageQueue): Observable<number | undefined>;
  write$(queue: MessageQueue, offset: number): Observable<void>;
}

export interface OffsetStore {
  /** Records a committed offset in memory; with `increaseOnly` an older answer never moves it back. */
  update(queue: MessageQueue, offset: number, increaseOnly?: boolean): void;
  readMemory(queue: MessageQueue): number | undefined;
  /** Reads the stored offset and caches it; the consumer starts a newly assigned queue from here. */
  readStored$(queue: MessageQueue): Observable<number | undefined>;
  /** Writes every offset that changed since its last write; a failed queue is retried at the next persist. */
  persist$(): Observable<void>;
  /** Forgets a revoked queue after writing it one last time. */
  remove$(queue: MessageQueue): Observable<void>;
  /** persist$ every 5 s (first after 10 s) until unsubscribed. */
  persistLoop$(): Observable<never>;
}

export interface OffsetStoreOptions {
  readonly onError?: (error: unknown, queue: MessageQueue) => void;
  readonly scheduler?: SchedulerLike;
  readonly intervalMs?: number;
  readonly firstDelayMs?: number;
}

interface Entry {
  readonly queue: MessageQueue;
  offset: number;
  written: number | undefined;
}

export function createOffsetStore(port: OffsetStorePort, options: OffsetStoreOptions = {}): OffsetStore {
  const table = new Map<string, Entry>();

  const write$ = (entry: Entry): Observable<void> => {
    const offset = entry.offset;
    if (entry.written === offset) return EMPTY;
    // defer: a port that throws instead of erroring must not break the whole persist
    return defer(() => port.write$(entry.queue, offset)).pipe(
      tap({ complete: () => (entry.written = offset) }),
      catchError((error: unknown) => {
        options.onError?.(error, entry.queue);
        return EMPTY;
      }),
    );
  };

  const store: OffsetStore = {
    update(queue, offset, increaseOnly = false) {
      const key = queueKey(queue);
      const entry = table.get(key);
      if (entry === undefined) table.set(key, { queue, offset, written: undefined });
      else if (!increaseOnly || offset > entry.offset) entry.offset = offset;
    },
    readMemory: (queue) => table.get(queueKey(queue))?.offset,
    readStored$: (queue) =>
      port.read$(queue).pipe(
        tap((offset) => {
          if (offset === undefined) return;
          store.update(queue, offset);
          const entry = table.get(queueKey(queue));
          if (entry !== undefined) entry.written = offset;
        }),
      ),
    persist$: () => defer(() => merge(...[...table.values()].map(write$))).pipe(ignoreElements()),
    remove$: (queue) =>
      defer(() => {
        const entry = table.get(queueKey(queue));
        if (entry === undefined) return EMPTY;
        return write$(entry).pipe(tap({ finalize: () => table.delete(queueKey(queue)) }));
      }),
    persistLoop$: () =>
      timer(
        options.firstDelayMs ?? PERSIST_FIRST_DELAY_MS,
        options.intervalMs ?? PERSIST_INTERVAL_MS,
        options.scheduler ?? asyncScheduler,
      ).pipe(
        exhaustMap(() => store.persist$()),
        ignoreElements(),
      ),
  };
  return store;
}
