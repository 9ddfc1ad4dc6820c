import {
  type Observable,
  type SchedulerLike,
  ignoreElements,
  interval,
  map,
  merge,
  mergeMap,
  tap,
} from 'rxjs';
import type { Logger } from '../logger.js';
import type { Channel } from '../remoting/channel.js';
import type { ConsumerManager } from './managers/consumer-manager.js';
import type { ProducerManager } from './managers/producer-manager.js';

/** How often silent clients are looked for (RocketMQ's ClientHousekeepingService). */
export const CLIENT_SCAN_INTERVAL_MS = 10_000;

export interface ClientHousekeepingDeps {
  /** Every client connection, as it is accepted. */
  readonly channels$: Observable<Channel>;
  readonly producers: ProducerManager;
  readonly consumers: ConsumerManager;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

/**
 * Forgets producer and consumer registrations of a connection the moment it closes, and those of clients
 * that stopped sending heartbeats (two minutes) even though their connection looks open. Runs while
 * subscribed.
 */
export function clientHousekeeping$(deps: ClientHousekeepingDeps): Observable<never> {
  const closed$ = deps.channels$.pipe(
    mergeMap((channel) => channel.closed$.pipe(map(() => channel))),
    tap((channel) => {
      deps.producers.removeChannel(channel);
      deps.consumers.removeChannel(channel);
    }),
  );
  const expired$ = interval(CLIENT_SCAN_INTERVAL_MS, deps.scheduler).pipe(
    tap(() => {
      const now = deps.scheduler.now();
      const removed = deps.producers.scanExpired(now) + deps.consumers.scanExpired(now);
      if (removed > 0) deps.logger.info({ removed }, 'client connections expired: no heartbeat for 120 s');
    }),
  );
  return merge(closed$, expired$).pipe(ignoreElements());
}
