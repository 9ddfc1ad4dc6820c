import { type Observable, type Observer, type SchedulerLike, merge } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import { cleanService$ } from './clean-service.js';
import type { MessageStoreOptions, StoreConfig } from './message-store-types.js';
import type { OffsetWaiters } from './offset-waiters.js';
import type { StoreParts } from './open-store.js';
import { storeServices$ } from './store-services.js';
import type { WriteRefusal } from './write-refusal.js';

/** The open store's state the loops drive: what they wait on, and whom they tell. */
export interface StoreLoopHooks extends Pick<MessageStoreOptions, 'diskUsage' | 'flushTimed'> {
  readonly appended$: Observable<void>;
  readonly manualClean$: Observable<void>;
  readonly flushWaiters: OffsetWaiters;
  readonly arrivals: Observer<DispatchInfo>;
  readonly reputProgress: Observer<number>;
  readonly refusal: WriteRefusal;
}

/** The background loops that keep the open store (commit, flush, reput, sweeps, cleaning), as one stream. */
export function storeLoops$(
  config: StoreConfig,
  { commitLog, reput, queues, index, checkpoint }: Omit<StoreParts, 'unlock'>,
  logger: Logger,
  scheduler: SchedulerLike,
  hooks: StoreLoopHooks,
): Observable<never> {
  const { flushWaiters, arrivals, reputProgress, refusal, flushTimed, diskUsage } = hooks;
  const services$ = storeServices$({
    commitLog,
    reput,
    queues,
    index,
    checkpoint,
    syncFlush: config.flushDiskType === 'SYNC_FLUSH',
    commitIntervalMs: config.commitIntervalCommitLog,
    flushIntervalMs: config.flushDiskType === 'SYNC_FLUSH' ? 10 : config.flushIntervalCommitLog,
    flushLogicsIntervalMs: config.flushIntervalConsumeQueue,
    waiterSweepMs: Math.max(10, Math.min(1000, Math.floor(config.syncFlushTimeout / 10))),
    logger,
    scheduler,
    appended$: hooks.appended$,
    flushed: (offset) => {
      flushWaiters.advance(offset);
    },
    dispatched: (info) => {
      arrivals.next(info);
    },
    reputDone: (offset) => {
      reputProgress.next(offset);
    },
    sweepWaiters: (now) => {
      flushWaiters.expire(now);
    },
    ...(flushTimed === undefined ? {} : { flushTimed }),
    commitFailed: (error) => {
      refusal.writeFailed(error);
    },
    commitRecovered: () => {
      refusal.writeRecovered();
    },
  });
  const clean$ = cleanService$({
    storeDir: config.storePathRootDir,
    commitLogFiles: commitLog.files,
    dependents: index === undefined ? [queues] : [queues, index],
    fileReservedTime: config.fileReservedTime,
    deleteWhen: config.deleteWhen,
    diskMaxUsedSpaceRatio: config.diskMaxUsedSpaceRatio,
    diskFullRatio: config.diskSpaceWarningLevelRatio / 100,
    minFreeBytes: config.diskMinFreeSpaceMB * 1024 * 1024,
    cleanResourceInterval: config.cleanResourceInterval,
    setDiskFull: (full, reason) => {
      refusal.setDiskFull(full, reason);
    },
    logger,
    scheduler,
    manualTrigger$: hooks.manualClean$,
    ...(diskUsage === undefined ? {} : { diskUsage }),
  });
  return merge(services$, clean$);
}
