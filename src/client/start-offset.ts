import { type Observable, defer, of, switchMap } from 'rxjs';
import type { MessageQueue } from './queue-selector.js';

/** The deprecated *_MIN/_MAX/_WHEN_BOOT_FIRST variants behave as LAST in RocketMQ 4.x, so they are not offered. */
export type ConsumeFromWhere =
  'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP';

export const RETRY_TOPIC_PREFIX = '%RETRY%';

/** RocketMQ's default consumeTimestamp: half an hour before the consumer starts. */
export const DEFAULT_CONSUME_TIMESTAMP_AGE_MS = 30 * 60 * 1000;

export interface StartOffsetPorts {
  /** The group's stored offset for the queue; undefined when it has none. */
  stored$(queue: MessageQueue): Observable<number | undefined>;
  maxOffset$(queue: MessageQueue): Observable<number>;
  searchOffset$(queue: MessageQueue, timestamp: number): Observable<number>;
}

/**
 * Where a newly assigned queue's pull loop starts (RocketMQ's computePullFromWhere): the stored offset when the
 * group has one, else as `where` says. Retry topics hold only this group's redeliveries, so for them LAST means
 * from the start and TIMESTAMP means from now.
 */
export function startOffset$(
  queue: MessageQueue,
  where: ConsumeFromWhere,
  consumeTimestamp: number,
  ports: StartOffsetPorts,
): Observable<number> {
  const retry = queue.topic.startsWith(RETRY_TOPIC_PREFIX);
  return defer(() => ports.stored$(queue)).pipe(
    switchMap((stored) => {
      if (stored !== undefined && stored >= 0) return of(stored);
      switch (where) {
        case 'CONSUME_FROM_FIRST_OFFSET':
          return of(0);
        case 'CONSUME_FROM_LAST_OFFSET':
          return retry ? of(0) : ports.maxOffset$(queue);
        case 'CONSUME_FROM_TIMESTAMP':
          return retry ? ports.maxOffset$(queue) : ports.searchOffset$(queue, consumeTimestamp);
      }
    }),
  );
}
