import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Subject, type VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CleanServiceOptions,
  cleanService$,
  createCommitLogCleaner,
  statfsUsedRatio,
} from '../../../../src/broker/store/clean-service.js';
import { offsetToFileName } from '../../../../src/broker/store/mapped-file.js';
import { MappedFileQueue } from '../../../../src/broker/store/mapped-file-queue.js';
import {
  MAX_FILES_PER_RUN,
  candidateCount,
  deleteHours,
  diskFullChange,
  headToDelete,
  isDeleteHour,
  isExpired,
  planRun,
} from '../../../../src/broker/store/retention-policy.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { virtualClock } from '../../../helpers/virtual-clock.js';

const SEGMENT = 64;
const HOUR = 60 * 60 * 1000;
/** A local time of day on a fixed date, so deleteWhen hours hold in any time zone. */
const at = (hour: number, minute = 30): number => new Date(2024, 5, 3, hour, minute).getTime();

let dir: string;
let queues: MappedFileQueue[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-clean-'));
  queues = [];
});
afterEach(async () => {
  vi.useRealTimers();
  for (const queue of queues) await queue.close();
  await rm(dir, { recursive: true, force: true });
});

/** A CommitLog of `ages.length` tiny segments from `first`, segment i last modified ages[i] hours before `now`. */
async function commitLog(ages: readonly number[], now: number, first = 0): Promise<MappedFileQueue> {
  const logDir = join(dir, 'commitlog');
  await mkdir(logDir, { recursive: true });
  for (let i = 0; i < ages.length; i++) {
    await writeFile(join(logDir, offsetToFileName(first + i * SEGMENT)), Buffer.alloc(SEGMENT));
  }
  const queue = await MappedFileQueue.load(logDir, SEGMENT);
  queues.push(queue);
  for (const [i, file] of queue.files.entries()) {
    const mtime = new Date(now - ages[i]! * HOUR);
    await utimes(file.path, mtime, mtime);
  }
  return queue;
}

const onDisk = async (): Promise<string[]> => (await readdir(join(dir, 'commitlog'))).sort();

interface Harness {
  readonly options: CleanServiceOptions;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly diskFull: [boolean, string][];
  readonly minOffsets: number[];
  usage: number;
}

function harness(
  files: MappedFileQueue,
  scheduler: VirtualTimeScheduler | undefined,
  extra: Partial<CleanServiceOptions> = {},
): Harness {
  const logger = recordingLogger();
  const h: Harness = {
    logger,
    diskFull: [],
    minOffsets: [],
    usage: 0.5,
    options: {
      storeDir: dir,
      commitLogFiles: files,
      dependents: [
        {
          deleteExpired: (min) => {
            h.minOffsets.push(min);
            return Promise.resolve();
          },
        },
      ],
      fileReservedTime: 72,
      deleteWhen: '04;16',
      diskMaxUsedSpaceRatio: 75,
      cleanResourceInterval: 10_000,
      setDiskFull: (full, reason) => {
        h.diskFull.push([full, reason]);
      },
      logger,
      ...(scheduler === undefined ? {} : { scheduler }),
      diskUsage: () => Promise.resolve(h.usage),
      ...extra,
    },
  };
  return h;
}

describe('CommitLog retention', () => {
  it('deletes expired head segments at a deleteWhen hour only, up to the first unexpired one', async () => {
    const clock = virtualClock(at(10));
    const files = await commitLog([100, 80, 73, 1, 90, 0], at(10));
    const h = harness(files, clock);
    const cleaner = createCommitLogCleaner(h.options);

    expect(await cleaner.run()).toMatchObject({ deleted: 0, reasons: [] });
    expect(await onDisk()).toHaveLength(6);
    expect(h.minOffsets).toEqual([]);

    clock.set(at(16, 5));
    expect(await cleaner.run()).toMatchObject({ deleted: 3, reasons: ['time'], minOffset: 3 * SEGMENT });
    expect(await onDisk()).toEqual([3, 4, 5].map((i) => offsetToFileName(i * SEGMENT)));
    expect(files.minOffset).toBe(3 * SEGMENT);
    expect(h.minOffsets).toEqual([3 * SEGMENT]);
    const lines = h.logger.lines.filter((l) => 'deleted' in l.fields);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', fields: { deleted: 3, minOffset: 3 * SEGMENT } });

    // the same hour again: the head is not expired, nothing goes, dependents are not called again
    expect(await cleaner.run()).toMatchObject({ deleted: 0, reasons: ['time'] });
    expect(h.minOffsets).toEqual([3 * SEGMENT]);
  });

  it('never deletes the last segment, however old', async () => {
    const files = await commitLog([200, 200, 200], at(4));
    const h = harness(files, virtualClock(at(4)));
    expect(await createCommitLogCleaner(h.options).run()).toMatchObject({ deleted: 2 });
    expect(await onDisk()).toEqual([offsetToFileName(2 * SEGMENT)]);
  });

  it('above diskMaxUsedSpaceRatio deletes expired segments whatever the hour, keeping unexpired ones', async () => {
    const files = await commitLog([200, 200, 0, 0], at(10));
    const h = harness(files, virtualClock(at(10)));
    h.usage = 0.8;
    const cleaner = createCommitLogCleaner(h.options);
    expect(await cleaner.run()).toMatchObject({ deleted: 2, reasons: ['space'], minOffset: 2 * SEGMENT });
    expect(await cleaner.run()).toMatchObject({ deleted: 0 });
    h.usage = 0.74;
    expect(await cleaner.run()).toMatchObject({ deleted: 0, reasons: [] });
  });

  it('above 85% deletes unexpired head segments, at most 10 a run, never the last', async () => {
    const files = await commitLog(Array<number>(13).fill(0), at(10));
    const h = harness(files, virtualClock(at(10)));
    h.usage = 0.86;
    const cleaner = createCommitLogCleaner(h.options);
    expect(await cleaner.run()).toMatchObject({ deleted: 10, reasons: ['space'], minOffset: 10 * SEGMENT });
    expect(await cleaner.run()).toMatchObject({ deleted: 2, minOffset: 12 * SEGMENT });
    expect(await cleaner.run()).toMatchObject({ deleted: 0 });
    expect(await onDisk()).toEqual([offsetToFileName(12 * SEGMENT)]);
    expect(h.minOffsets).toEqual([10 * SEGMENT, 12 * SEGMENT]);
    expect(h.diskFull).toEqual([]);

    h.usage = 0.8; // below the forcible ratio again: back to expired-only, and none is
    expect(await cleaner.run()).toMatchObject({ deleted: 0 });
  });

  it('flags the disk full once above 90% and not full once when it falls back', async () => {
    const files = await commitLog([0], at(10));
    const h = harness(files, virtualClock(at(10)));
    const cleaner = createCommitLogCleaner(h.options);
    for (const usage of [0.5, 0.95, 0.97, 0.91, 0.85, 0.8, 0.6]) {
      h.usage = usage;
      await cleaner.run();
    }
    expect(h.diskFull.map(([full]) => full)).toEqual([true, false]);
    expect(h.diskFull[0]![1]).toMatch(/95\.0%/);
    expect(h.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(h.logger.lines.filter((l) => l.level === 'info' && l.message.includes('OK'))).toHaveLength(1);
  });

  it('honours a custom diskFullRatio', async () => {
    const files = await commitLog([0], at(10));
    const h = harness(files, virtualClock(at(10)), { diskFullRatio: 0.5 });
    h.usage = 0.6;
    await createCommitLogCleaner(h.options).run();
    expect(h.diskFull.map(([full]) => full)).toEqual([true]);
  });

  it('a manual request deletes expired segments outside the deleteWhen hours, not unexpired ones', async () => {
    const files = await commitLog([100, 100, 1, 0], at(10));
    const h = harness(files, virtualClock(at(10)));
    const cleaner = createCommitLogCleaner(h.options);
    expect(await cleaner.run()).toMatchObject({ deleted: 0 });
    cleaner.deleteNow();
    expect(await cleaner.run()).toMatchObject({ deleted: 2, reasons: ['manual'] });
    expect(await onDisk()).toHaveLength(2);
  });

  it('logs a failed dependent, still moves the others, and retries it next run', async () => {
    const files = await commitLog([100, 100, 0], at(4));
    const clock = virtualClock(at(4));
    const h = harness(files, clock);
    const flaky = vi.fn().mockRejectedValueOnce(new Error('cq busy')).mockResolvedValue(undefined);
    const cleaner = createCommitLogCleaner({
      ...h.options,
      dependents: [{ deleteExpired: flaky }, ...h.options.dependents],
    });
    expect(await cleaner.run()).toMatchObject({ deleted: 2 });
    expect(h.minOffsets).toEqual([2 * SEGMENT]);
    expect(h.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    clock.set(at(11));
    await cleaner.run();
    expect(flaky.mock.calls).toEqual([[2 * SEGMENT], [2 * SEGMENT]]);
    await cleaner.run();
    expect(flaky).toHaveBeenCalledTimes(2);
  });

  it('moves the dependents up to a head left behind by an earlier process on the first run', async () => {
    const files = await commitLog([0, 0], at(10), 5 * SEGMENT);
    const h = harness(files, virtualClock(at(10)));
    await createCommitLogCleaner(h.options).run();
    expect(h.minOffsets).toEqual([5 * SEGMENT]);
  });

  it('logs an unreadable disk and keeps time-based retention', async () => {
    const files = await commitLog([100, 0], at(4));
    const h = harness(files, virtualClock(at(4)), { diskUsage: () => Promise.reject(new Error('EIO')) });
    expect(await createCommitLogCleaner(h.options).run()).toMatchObject({ deleted: 1, usedRatio: undefined });
    expect(h.diskFull).toEqual([]);
    expect(h.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('reads the disk use of the store directory with statfs', async () => {
    const ratio = await statfsUsedRatio(dir);
    expect(ratio).toBeGreaterThanOrEqual(0);
    expect(ratio).toBeLessThanOrEqual(1);
  });
});

describe('cleanService$', () => {
  it('runs every cleanResourceInterval on the scheduler and keeps going after errors', async () => {
    const files = await commitLog([100, 100, 0], at(4, 59), SEGMENT);
    const clock = virtualClock(at(4, 59));
    const h = harness(files, clock);
    let calls = 0;
    const failing = {
      deleteExpired: () => {
        calls += 1;
        return Promise.reject(new Error('index busy'));
      },
    };
    const subscription = cleanService$({ ...h.options, dependents: [failing] }).subscribe();

    clock.advance(9_999);
    await Promise.resolve();
    expect(calls).toBe(0);
    clock.advance(1);
    await vi.waitFor(() => {
      expect(calls).toBe(1);
    });
    expect(await onDisk()).toEqual([offsetToFileName(3 * SEGMENT)]);
    expect(h.logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);

    clock.advance(10_000);
    await vi.waitFor(() => {
      expect(calls).toBe(2);
    });
    subscription.unsubscribe();
    expect(clock.actions.filter((a) => !a.closed)).toEqual([]);
  });

  it('runs at once on a manual trigger, outside the deleteWhen hours', async () => {
    const files = await commitLog([100, 0], at(12));
    const h = harness(files, virtualClock(at(12)));
    const manual$ = new Subject<void>();
    const subscription = cleanService$({ ...h.options, manualTrigger$: manual$ }).subscribe();
    manual$.next();
    await vi.waitFor(() => {
      expect(h.minOffsets).toEqual([SEGMENT]);
    });
    expect(await onDisk()).toEqual([offsetToFileName(SEGMENT)]);
    subscription.unsubscribe();
  });

  it('on the default scheduler, stops with no timer left when unsubscribed', async () => {
    const files = await commitLog([0], at(10));
    vi.useFakeTimers({ now: at(10) });
    const h = harness(files, undefined);
    const usage = vi.fn(() => Promise.resolve(0.95));
    const subscription = cleanService$({ ...h.options, diskUsage: usage }).subscribe();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(usage).toHaveBeenCalledTimes(2);
    expect(h.diskFull.map(([full]) => full)).toEqual([true]);
    subscription.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(usage).toHaveBeenCalledTimes(2);
  });
});

describe('retention policy', () => {
  const hourSet = fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { maxLength: 24 });
  const time = fc.integer({ min: at(0, 0) - 400 * 24 * HOUR, max: at(0, 0) + 400 * 24 * HOUR });

  it('deleteWhen hours match the local hour of now', () => {
    fc.assert(
      fc.property(hourSet, time, (hours, now) => {
        const when = hours.map((h) => String(h).padStart(2, '0')).join(';');
        expect(isDeleteHour(deleteHours(when), now)).toBe(hours.includes(new Date(now).getHours()));
      }),
    );
    expect([...deleteHours('04; 16;x;25;')]).toEqual([4, 16]);
  });

  it('plans a deletion only for a reason, forces it only above the ratios, uses up manual runs', () => {
    const ratio = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(hourSet, time, ratio, ratio, ratio, fc.nat(30), (hours, now, used, force, full, manual) => {
        const forceRatio = force ?? 0.85;
        const fullRatio = full ?? 0.9;
        const spaceRatio = 0.75;
        const input = {
          now,
          hours: new Set(hours),
          usedRatio: used,
          spaceRatio,
          forceRatio,
          fullRatio,
          manualRunsLeft: manual,
        };
        const plan = planRun(input);
        const forced = used !== undefined && (used > forceRatio || used > fullRatio);
        expect(plan.force).toBe(forced);
        expect(plan.reasons.includes('time')).toBe(hours.includes(new Date(now).getHours()));
        expect(plan.reasons.includes('manual')).toBe(manual > 0);
        expect(plan.reasons.includes('space')).toBe(forced || (used !== undefined && used > spaceRatio));
        expect(plan.reasons.length === 0).toBe(
          !plan.reasons.includes('space') && !plan.reasons.includes('time') && manual === 0,
        );
        expect(plan.manualRunsLeft).toBe(Math.max(0, manual - 1));
      }),
    );
  });

  it('deletes a head prefix of expired candidates, all of them when forced, never past the candidates', () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        (segments, ages, force, reserved) => {
          const now = at(4);
          const candidates = candidateCount(segments);
          expect(candidates).toBeLessThanOrEqual(Math.min(MAX_FILES_PER_RUN, Math.max(0, segments - 1)));
          const mtimes = ages.slice(0, candidates).map((age) => now - age * HOUR);
          const count = headToDelete(candidates, force, mtimes, now, reserved);
          expect(count).toBeLessThanOrEqual(candidates);
          if (force) expect(count).toBe(candidates);
          else {
            for (const m of mtimes.slice(0, count)) expect(isExpired(m, now, reserved)).toBe(true);
            if (count < mtimes.length) expect(isExpired(mtimes[count]!, now, reserved)).toBe(false);
          }
        },
      ),
    );
  });

  it('flips the full flag once per crossing of the full ratio', () => {
    const ratios = fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }));
    fc.assert(
      fc.property(ratios, fc.double({ min: 0.1, max: 0.99, noNaN: true }), (seq, fullRatio) => {
        let full = false;
        const flips: boolean[] = [];
        for (const used of seq) {
          const change = diskFullChange(full, used, fullRatio);
          if (change !== undefined) {
            flips.push(change);
            full = change;
          }
        }
        flips.forEach((f, i) => {
          expect(f).toBe(i % 2 === 0);
        });
        const known = seq.filter((r) => r !== undefined);
        expect(full).toBe(known.length > 0 && known.at(-1)! > fullRatio);
      }),
    );
  });
});
