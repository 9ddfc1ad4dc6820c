/**
 * The decisions of CommitLog retention (RocketMQ's DefaultMessageStore.CleanCommitLogService), kept free of
 * I/O and clocks so they can be tested on their own: when a run may delete, whether it may delete segments
 * that have not expired yet, how many head segments go, and when the store flips between full and not full.
 */

/** Head segments deleted in one run at most (RocketMQ's deleteFileBatchMax). */
export const MAX_FILES_PER_RUN = 10;

/** Runs that a manual request keeps deletion switched on for (RocketMQ's MAX_MANUAL_DELETE_FILE_TIMES). */
export const MANUAL_DELETE_RUNS = 20;

/** Disk use above which unexpired segments are deleted too (RocketMQ's diskSpaceCleanForciblyRatio). */
export const CLEAN_FORCIBLY_RATIO = 0.85;

const HOUR_MS = 60 * 60 * 1000;

export type DeleteReason = 'time' | 'space' | 'manual';

/** The hours of the day in `deleteWhen` ("04", "04;16"); parts that are not an hour are ignored. */
export function deleteHours(deleteWhen: string): ReadonlySet<number> {
  const hours = new Set<number>();
  for (const part of deleteWhen.split(';')) {
    const text = part.trim();
    if (!/^\d{1,2}$/.test(text)) continue;
    const hour = Number(text);
    if (hour <= 23) hours.add(hour);
  }
  return hours;
}

/** Whether the local hour of `now` (ms since the epoch) is one of `hours` (RocketMQ's UtilAll.isItTimeToDo). */
export const isDeleteHour = (hours: ReadonlySet<number>, now: number): boolean =>
  hours.has(new Date(now).getHours());

export interface RunInput {
  readonly now: number;
  readonly hours: ReadonlySet<number>;
  /** Used fraction of the store's file system, or undefined when it could not be read. */
  readonly usedRatio: number | undefined;
  /** Above this fraction (diskMaxUsedSpaceRatio / 100) expired segments go whatever the hour. */
  readonly spaceRatio: number;
  /** Above this fraction segments go from the head, expired or not (diskSpaceCleanForciblyRatio). */
  readonly forceRatio: number;
  /** Above this fraction the store refuses puts; deletion is forced then too. */
  readonly fullRatio: number;
  readonly manualRunsLeft: number;
}

export interface RunPlan {
  /** Why this run may delete; empty when it may not. */
  readonly reasons: readonly DeleteReason[];
  /** Delete head segments whether or not they expired (RocketMQ's cleanImmediately). */
  readonly force: boolean;
  readonly manualRunsLeft: number;
}

/** Whether and how one run deletes. A pending manual request is used up by one run whatever happens. */
export function planRun(input: RunInput): RunPlan {
  const reasons: DeleteReason[] = [];
  if (isDeleteHour(input.hours, input.now)) reasons.push('time');
  const used = input.usedRatio;
  const force = used !== undefined && used > Math.min(input.forceRatio, input.fullRatio);
  if (force || (used !== undefined && used > input.spaceRatio)) reasons.push('space');
  const manual = input.manualRunsLeft > 0;
  if (manual) reasons.push('manual');
  return { reasons, force, manualRunsLeft: manual ? input.manualRunsLeft - 1 : 0 };
}

/** Whether a segment last modified at `mtimeMs` has outlived `reservedHours` at `now`. */
export const isExpired = (mtimeMs: number, now: number, reservedHours: number): boolean =>
  now >= mtimeMs + reservedHours * HOUR_MS;

/**
 * How many head segments to delete, given the modification times of the candidates (the head segments
 * that may go at all: never the last one, at most MAX_FILES_PER_RUN) in log order. Unforced, deletion stops
 * at the first segment that has not expired, as the log must stay contiguous.
 */
export function headToDelete(
  candidates: number,
  force: boolean,
  mtimes: readonly number[],
  now: number,
  reservedHours: number,
): number {
  if (force) return candidates;
  let count = 0;
  while (count < candidates && count < mtimes.length && isExpired(mtimes[count]!, now, reservedHours)) {
    count += 1;
  }
  return count;
}

/** The head segments a run may consider: all but the last (writable) one, at most `max`. */
export const candidateCount = (segments: number, max = MAX_FILES_PER_RUN): number =>
  Math.max(0, Math.min(max, segments - 1));

/**
 * The store's new full flag when `usedRatio` changes it, else undefined: full above `fullRatio`, not full at
 * or below it. An unknown ratio changes nothing.
 */
export function diskFullChange(
  wasFull: boolean,
  usedRatio: number | undefined,
  fullRatio: number,
): boolean | undefined {
  if (usedRatio === undefined) return undefined;
  const full = usedRatio > fullRatio;
  return full === wasFull ? undefined : full;
}
