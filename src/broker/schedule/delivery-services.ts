import { join } from 'node:path';
import { type Observable, type SchedulerLike, merge } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { HostAddress } from '../../protocol/message.js';
import type { BrokerConfig } from '../config.js';
import { DelayOffsetTable } from './delay-offset-table.js';
import { ScheduleService, type ScheduleStore } from './schedule-service.js';
import { type Put, schedulingPut } from './scheduling-put.js';
import { TimerCheckpoint } from './timer-checkpoint.js';
import { TimerService } from './timer-service.js';
import { TimerSlots } from './timer-slots.js';

export interface DeliveryServicesDeps {
  readonly config: Pick<
    BrokerConfig,
    | 'storePathRootDir'
    | 'flushDelayOffsetInterval'
    | 'timerMaxDelaySec'
    | 'timerPrecisionMs'
    | 'fileReservedTime'
  >;
  readonly levelsMs: readonly number[];
  readonly store: ScheduleStore & { readonly maxPhysicalOffset: number };
  /** The store's put: what the services re-put is not scheduled again. */
  readonly put: Put;
  readonly storeHost: HostAddress;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

/** Delayed and timed delivery as the broker runs it. */
export interface DeliveryServices {
  /** The put for request processors: it redirects delayed and timed messages. */
  readonly schedulingPut: Put;
  /** The level timers, the timer rounds and the delay offset writer. */
  readonly loop$: Observable<never>;
  /** After unsubscribing loop$: lets running re-puts and the timer round finish. */
  stop(): Promise<void>;
  /** Writes delayOffset.json; at shutdown, after the store has committed everything. */
  persist(): Promise<void>;
}

/** The timer's tick: often enough that a slot is looked at soon after its window passes. */
const MAX_TICK_MS = 100;
const HOUR_MS = 3_600_000;

export async function openDeliveryServices(deps: DeliveryServicesDeps): Promise<DeliveryServices> {
  const { config, store, scheduler } = deps;
  const offsets = await DelayOffsetTable.load(
    join(config.storePathRootDir, 'config', 'delayOffset.json'),
    deps.logger,
  );
  offsets.useCommittedOffset(() => store.maxPhysicalOffset);
  const schedule = new ScheduleService({
    levelsMs: deps.levelsMs,
    store,
    put: deps.put,
    storeHost: deps.storeHost,
    offsets,
    flushIntervalMs: config.flushDelayOffsetInterval,
    scheduler,
    logger: deps.logger.child({ component: 'schedule' }),
  });
  const timers = new TimerService({
    store,
    put: deps.put,
    storeHost: deps.storeHost,
    slots: await TimerSlots.open(join(config.storePathRootDir, 'timer', 'slots'), config.timerPrecisionMs),
    checkpoint: await TimerCheckpoint.load(join(config.storePathRootDir, 'config', 'timerCheckpoint.json')),
    tickMs: Math.min(MAX_TICK_MS, config.timerPrecisionMs),
    flushIntervalMs: config.flushDelayOffsetInterval,
    // Half the CommitLog's retention: a waiting record is rolled to the log's end well before it expires.
    rollWindowMs: Math.max(config.timerPrecisionMs, (config.fileReservedTime * HOUR_MS) / 2),
    scheduler,
    logger: deps.logger.child({ component: 'timer' }),
  });
  return {
    schedulingPut: schedulingPut(deps.put, {
      levelCount: deps.levelsMs.length,
      timerMaxDelayMs: config.timerMaxDelaySec * 1000,
      now: () => scheduler.now(),
    }),
    loop$: merge(schedule.loop$, timers.loop$),
    stop: async () => {
      await timers.stop();
      await schedule.drain();
    },
    persist: () => offsets.persist(),
  };
}
