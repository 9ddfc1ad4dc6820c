/**
 * RocketMQ's scanNotActiveBroker task: every 10 s (the first scan 5 s after start) drop the brokers that have
 * not registered for 120 s. Emits each dropped broker, so the caller can close its channel and log it.
 */
import { type Observable, type SchedulerLike, asyncScheduler, mergeMap, timer } from 'rxjs';
import type { RouteInfoManager } from './route-info.js';
import { BROKER_EXPIRY_MS, type RemovedBroker } from './route-types.js';

export interface BrokerExpiryOptions {
  readonly scheduler?: SchedulerLike;
  readonly initialDelayMs?: number;
  readonly periodMs?: number;
  readonly expiryMs?: number;
}

export const BROKER_SCAN_INITIAL_DELAY_MS = 5_000;
export const BROKER_SCAN_PERIOD_MS = 10_000;

export function brokerExpiry$(
  routes: RouteInfoManager,
  options: BrokerExpiryOptions = {},
): Observable<RemovedBroker> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const expiryMs = options.expiryMs ?? BROKER_EXPIRY_MS;
  return timer(
    options.initialDelayMs ?? BROKER_SCAN_INITIAL_DELAY_MS,
    options.periodMs ?? BROKER_SCAN_PERIOD_MS,
    scheduler,
  ).pipe(mergeMap(() => routes.scanExpired(scheduler.now(), expiryMs)));
}
