import { stat, statfs } from 'node:fs/promises';
import { type Observable, type SchedulerLike, asyncScheduler, defer, ignoreElements, NEVER, tap } from 'rxjs';
import type { Logger } from '../../logger.js';
import { serviceLoop } from '../../operators/service-loop.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import {
  type DeleteReason,
  MANUAL_DELETE_RUNS,
  candidateCount,
  deleteHours,
  diskFullChange,
  headToDelete,
  planRun,
  CLEAN_FORCIBLY_RATIO,
} from './retention-policy.js';

/** What follows the CommitLog's head: ConsumeQueues, the index service. */
export interface RetentionDependent {
  deleteExpired(commitLogMinOffset: number): Promise<void>;
}

export interface CleanServiceOptions {
  /** A directory on the store's file system, for its disk use. */
  readonly storeDir: string;
  readonly commitLogFiles: MappedFileQueue;
  readonly dependents: readonly RetentionDependent[];
  /** Hours a segment is kept after its last modification. */
  readonly fileReservedTime: number;
  /** Local hours of the day at which expired segments are deleted: "04" or "04;16". */
  readonly deleteWhen: string;
  /** Percent of disk use above which head segments are deleted whether expired or not. */
  readonly diskMaxUsedSpaceRatio: number;
  readonly cleanResourceInterval: number;
  /** Fraction of disk use above which the store refuses puts (default 0.9). */
  readonly diskFullRatio?: number;
  readonly setDiskFull: (full: boolean, reason: string) => void;
  readonly logger: Logger;
  /** Runs the loop and tells the time (`now()`, local hour for deleteWhen). */
  readonly scheduler?: SchedulerLike;
  /** Used fraction (0..1) of the store's file system; defaults to fs.statfs of storeDir. */
  readonly diskUsage?: () => Promise<number>;
  /** Free bytes below which the store refuses puts too, whatever the ratio (0 or undefined: no floor). */
  readonly minFreeBytes?: number;
  /** Bytes available on the store's file system; defaults to fs.statfs of storeDir. */
  readonly freeBytes?: () => Promise<number>;
  /** Each emission asks for deletion of expired segments now and for the next runs (admin command). */
  readonly manualTrigger$?: Observable<unknown>;
}

/** What one run saw and did. */
export interface CleanRunResult {
  readonly usedRatio: number | undefined;
  readonly reasons: readonly DeleteReason[];
  readonly deleted: number;
  readonly minOffset: number;
}

/** One retention pass at a time, with the state carried between passes. */
export interface CommitLogCleaner {
  /** One pass. Never rejects: every failure is logged and the next pass starts afresh. */
  run(): Promise<CleanRunResult>;
  /** Switches deletion of expired segments on for the next MANUAL_DELETE_RUNS passes, whatever the hour. */
  deleteNow(): void;
}

/** Used fraction of the file system holding `path`, as `df` counts it: what is not available to users. */
export async function statfsUsedRatio(path: string): Promise<number> {
  const { blocks, bavail } = await statfs(path);
  return blocks > 0 ? 1 - bavail / blocks : 0;
}

/** Bytes of the file system holding `path` that an unprivileged writer may still take. */
export async function statfsFreeBytes(path: string): Promise<number> {
  const { bavail, bsize } = await statfs(path);
  return bavail * bsize;
}

/**
 * RocketMQ's CleanCommitLogService and CleanConsumeQueueService as one loop: every `cleanResourceInterval`
 * ms (and on each manual trigger) it checks the disk, flags the store full or not, deletes CommitLog
 * segments from the head when the rules allow and moves the dependents up to the new head. Runs until
 * unsubscribed; never errors.
 */
export function cleanService$(options: CleanServiceOptions): Observable<never> {
  return defer(() => {
    const cleaner = createCommitLogCleaner(options);
    const wakeup$ = (options.manualTrigger$ ?? NEVER).pipe(
      tap(() => {
        cleaner.deleteNow();
      }),
    );
    return serviceLoop(() => cleaner.run(), {
      periodMs: options.cleanResourceInterval,
      wakeup$,
      scheduler: options.scheduler ?? asyncScheduler,
    });
  }).pipe(ignoreElements());
}

export function createCommitLogCleaner(options: CleanServiceOptions): CommitLogCleaner {
  const { commitLogFiles, logger } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const diskUsage = options.diskUsage ?? (() => statfsUsedRatio(options.storeDir));
  const fullRatio = options.diskFullRatio ?? 0.9;
  const spaceRatio = options.diskMaxUsedSpaceRatio / 100;
  const forceRatio = CLEAN_FORCIBLY_RATIO;
  const hours = deleteHours(options.deleteWhen);
  let diskFull = false;
  let manualRunsLeft = 0;
  /** The head the dependents have been moved up to; below the CommitLog's while one of them failed. */
  let propagatedMinOffset = 0;

  const minFreeBytes = options.minFreeBytes ?? 0;
  const freeBytes = options.freeBytes ?? (() => statfsFreeBytes(options.storeDir));

  const readUsage = async (): Promise<number | undefined> => {
    try {
      return await diskUsage();
    } catch (error) {
      logger.warn(
        { err: error, storeDir: options.storeDir },
        'disk usage unknown; only time-based retention',
      );
      return undefined;
    }
  };

  /** Free bytes when a floor is configured and statfs answers, else undefined. */
  const readFree = async (): Promise<number | undefined> => {
    if (minFreeBytes <= 0) return undefined;
    try {
      return await freeBytes();
    } catch {
      return undefined;
    }
  };

  const guardDiskFull = (usedRatio: number | undefined, free: number | undefined): void => {
    const belowFloor = free !== undefined && free < minFreeBytes;
    // An unknown ratio clears nothing: the flag stays as the last known reading set it.
    if (usedRatio === undefined && !belowFloor) return;
    const change = belowFloor || diskFullChange(false, usedRatio, fullRatio) === true;
    if (change === diskFull) return;
    diskFull = change;
    const used = usedRatio === undefined ? 'unknown' : `${(usedRatio * 100).toFixed(1)}%`;
    const floor = minFreeBytes > 0 ? `, ${free ?? 'unknown'} bytes free (floor ${minFreeBytes})` : '';
    const fields = { usedRatio, diskFullRatio: fullRatio, freeBytes: free, minFreeBytes };
    if (change) {
      const why = belowFloor ? `fewer than ${minFreeBytes} bytes free` : `above ${fullRatio * 100}%`;
      const reason = `disk full: ${options.storeDir} is ${used} used${floor}, ${why}`;
      logger.warn(fields, `disk full: refusing new messages (${reason})`);
      options.setDiskFull(true, reason);
    } else {
      const reason = `disk of ${options.storeDir} is ${used} used${floor}, at or below ${fullRatio * 100}%`;
      logger.info(fields, `disk space OK again: accepting messages (${reason})`);
      options.setDiskFull(false, reason);
    }
  };

  /** Deletes head segments per the plan; resolves with how many went. */
  const deleteHead = async (force: boolean, now: number): Promise<number> => {
    const files = commitLogFiles.files;
    const candidates = files.slice(0, candidateCount(files.length));
    if (candidates.length === 0) return 0;
    const mtimes = force
      ? []
      : await Promise.all(candidates.map(async (file) => (await stat(file.path)).mtimeMs));
    const count = headToDelete(candidates.length, force, mtimes, now, options.fileReservedTime);
    // The files are named up front: whatever changed in the queue while we read mtimes, only these go.
    const doomed = new Set(candidates.slice(0, count));
    return count === 0 ? 0 : commitLogFiles.deleteHead((file) => doomed.has(file), count);
  };

  /** Moves every dependent up to the CommitLog's head; a failed one is tried again next run. */
  const propagate = async (): Promise<void> => {
    const minOffset = commitLogFiles.minOffset;
    if (minOffset <= propagatedMinOffset) return;
    let ok = true;
    for (const dependent of options.dependents) {
      try {
        await dependent.deleteExpired(minOffset);
      } catch (error) {
        ok = false;
        logger.error(
          { err: error, minOffset },
          'deleting files below the CommitLog head failed; retrying next run',
        );
      }
    }
    if (ok) propagatedMinOffset = minOffset;
  };

  const run = async (): Promise<CleanRunResult> => {
    let usedRatio: number | undefined;
    let reasons: readonly DeleteReason[] = [];
    let deleted = 0;
    try {
      const now = scheduler.now();
      usedRatio = await readUsage();
      guardDiskFull(usedRatio, await readFree());
      const plan = planRun({ now, hours, usedRatio, spaceRatio, forceRatio, fullRatio, manualRunsLeft });
      manualRunsLeft = plan.manualRunsLeft;
      reasons = plan.reasons;
      if (reasons.length > 0) deleted = await deleteHead(plan.force, now);
      if (deleted > 0) {
        logger.info(
          { deleted, minOffset: commitLogFiles.minOffset, reasons, force: plan.force, usedRatio },
          `deleted ${deleted} CommitLog segment(s), CommitLog now starts at ${commitLogFiles.minOffset}`,
        );
      }
    } catch (error) {
      logger.error({ err: error }, 'CommitLog retention run failed');
    }
    await propagate();
    return { usedRatio, reasons, deleted, minOffset: commitLogFiles.minOffset };
  };

  return {
    run,
    deleteNow: () => {
      manualRunsLeft = MANUAL_DELETE_RUNS;
      logger.info({ runs: MANUAL_DELETE_RUNS }, 'manual deletion of expired CommitLog segments requested');
    },
  };
}
