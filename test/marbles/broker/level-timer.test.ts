import { NEVER, type Observable, defer, of, take } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type LevelTimerDeps,
  type ScheduledEntry,
  levelTimer$,
} from '../../../src/broker/schedule/level-timer.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

/** A level queue whose entries become readable at `visibleAt` (the frame their put was dispatched). */
const queueOf =
  (scheduler: TestScheduler, entries: readonly (ScheduledEntry & { visibleAt?: number })[]) =>
  (offset: number): Observable<readonly ScheduledEntry[]> =>
    defer(() =>
      of(entries.filter((e) => e.queueOffset >= offset && (e.visibleAt ?? 0) <= scheduler.now()).slice(0, 2)),
    );

const entry = (queueOffset: number, tagsCode: number, visibleAt = 0) => ({
  queueOffset,
  physicalOffset: 1000 * queueOffset,
  size: 100,
  tagsCode,
  visibleAt,
});

const deps = (scheduler: TestScheduler, over: Partial<LevelTimerDeps>): LevelTimerDeps => ({
  delayMs: 100,
  read$: () => of([]),
  deliver$: () => of(true),
  arrivals$: NEVER,
  idleMs: 100,
  retryMs: 50,
  scheduler,
  logger: recordingLogger(),
  ...over,
});

describe('levelTimer$', () => {
  it('moves the due messages together, in queue order, and waits exactly for the next one', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const delivered: [number, number[]][] = [];
      const timer$ = levelTimer$(
        0,
        deps(scheduler, {
          read$: queueOf(scheduler, [entry(0, 10), entry(1, 10), entry(2, 30)]),
          deliver$: (batch) =>
            defer(() => {
              delivered.push([scheduler.now(), batch.map((e) => e.queueOffset)]);
              return cold('-x|');
            }),
        }),
      );
      expectObservable(timer$.pipe(take(2))).toBe('12ms a 19ms (b|)', { a: 2, b: 3 });
      scheduler.flush();
      expect(delivered).toEqual([
        [10, [0, 1]],
        [30, [2]],
      ]);
    });
  });

  it('starts at the offset it is given', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const timer$ = levelTimer$(
        2,
        deps(scheduler, { read$: queueOf(scheduler, [entry(0, 0), entry(1, 0), entry(2, 0)]) }),
      );
      expectObservable(timer$.pipe(take(1))).toBe('(a|)', { a: 3 });
    });
  });

  it('looks again as soon as something arrives instead of waiting out the idle time', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const read$ = queueOf(scheduler, [entry(0, 40, 30)]);
      const woken$ = levelTimer$(0, deps(scheduler, { read$, arrivals$: hot('30ms a') }));
      expectObservable(woken$.pipe(take(1))).toBe('40ms (a|)', { a: 1 });
      const polled$ = levelTimer$(0, deps(scheduler, { read$ }));
      expectObservable(polled$.pipe(take(1))).toBe('100ms (a|)', { a: 1 });
    });
  });

  it('takes a delivery time further ahead than the level delay as now (a clock that jumped back)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const timer$ = levelTimer$(0, deps(scheduler, { read$: queueOf(scheduler, [entry(0, 10_000)]) }));
      expectObservable(timer$.pipe(take(1))).toBe('(a|)', { a: 1 });
    });
  });

  it('retries the same message after retryMs when its re-put fails, and logs it', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const logger = recordingLogger();
      let attempts = 0;
      const timer$ = levelTimer$(
        0,
        deps(scheduler, {
          read$: queueOf(scheduler, [entry(0, 0), entry(1, 0)]),
          deliver$: (batch) =>
            defer(() => (batch[0]!.queueOffset === 0 && attempts++ === 0 ? cold('-#') : cold('-x|'))),
          logger,
        }),
      );
      expectObservable(timer$.pipe(take(1))).toBe('53ms (a|)', { a: 2 });
      scheduler.flush();
      expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    });
  });

  it('retries a failed read after retryMs from where it was', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      let reads = 0;
      const queue = queueOf(scheduler, [entry(0, 0)]);
      const timer$ = levelTimer$(
        0,
        deps(scheduler, {
          read$: (offset) =>
            defer(() => (reads++ === 0 ? cold<readonly ScheduledEntry[]>('#') : queue(offset))),
        }),
      );
      expectObservable(timer$.pipe(take(1))).toBe('50ms (a|)', { a: 1 });
    });
  });
});
