import { type Observable, EMPTY, filter, ignoreElements, interval, map, merge, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type HalfEntry, type OpEntry, planCheck } from '../../../src/broker/transaction/check-plan.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

interface Model {
  readonly halves: HalfEntry[];
  readonly ops: OpEntry[];
  halfOffset: number;
  opOffset: number;
}

interface Run {
  readonly interval: number;
  readonly timeout: number;
  readonly max: number;
  /** Producers storing halves: born now, optionally with their own immunity. */
  readonly born$: Observable<{ immunityMs?: number }>;
  /** END_TRANSACTION arriving: an op record naming an origin. */
  readonly ended$?: Observable<number>;
}

/**
 * The check pipeline over an in-memory half and op queue, in virtual time: every `interval` the plan is made
 * and applied the way the check service applies it (a checked or deferred half is stored again at the end,
 * with its origin and born time), and each run that decided anything emits its decisions as "action:origin".
 */
function checkRuns(scheduler: TestScheduler, run: Run): { runs$: Observable<string>; model: Model } {
  const model: Model = { halves: [], ops: [], halfOffset: 0, opOffset: 0 };
  const store = (half: Omit<HalfEntry, 'queueOffset' | 'storeTimestamp'>): void => {
    const queueOffset = model.halves.length;
    model.halves.push({ ...half, queueOffset, storeTimestamp: scheduler.now() });
  };
  const born$ = run.born$.pipe(
    tap(({ immunityMs }) => {
      const queueOffset = model.halves.length;
      store({ origin: queueOffset, bornTimestamp: scheduler.now(), checkTimes: 0, immunityMs });
    }),
  );
  const ended$ = (run.ended$ ?? EMPTY).pipe(
    tap((origin) => {
      model.ops.push({ opOffset: model.ops.length, origin, storeTimestamp: scheduler.now() });
    }),
  );
  const checks$ = interval(run.interval, scheduler).pipe(
    map(() => {
      const plan = planCheck({
        now: scheduler.now(),
        transactionTimeOut: run.timeout,
        transactionCheckMax: run.max,
        halfOffset: model.halfOffset,
        opOffset: model.opOffset,
        halves: model.halves.slice(model.halfOffset),
        ops: model.ops.slice(model.opOffset),
        halfMaxOffset: model.halves.length,
      });
      for (const { action, half } of plan.decisions) {
        if (action === 'check') store({ ...half, checkTimes: half.checkTimes + 1 });
        if (action === 'defer') store(half);
      }
      model.halfOffset = plan.nextHalfOffset;
      model.opOffset = plan.nextOpOffset;
      return plan.decisions.map((d) => `${d.action}:${d.half.origin}`).join(' ');
    }),
    filter((decided) => decided.length > 0),
  );
  return { runs$: merge(born$.pipe(ignoreElements()), ended$.pipe(ignoreElements()), checks$), model };
}

describe('transaction check plan in virtual time', () => {
  it('checks a half once older than transactionTimeOut, every interval, and discards it after the maximum', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { runs$ } = checkRuns(scheduler, {
        interval: 5000,
        timeout: 6000,
        max: 2,
        born$: cold('a', { a: {} }),
      });
      // 5 s: too young; 10 s and 15 s: asked; 20 s: given up; then nothing is left.
      expectObservable(runs$, '^ 30s !').toBe('10s a 4999ms a 4999ms b', {
        a: 'check:0',
        b: 'discard:0',
      });
    });
  });

  it('stops asking once an op record finishes the transaction, whichever copy it named', () => {
    const scheduler = newScheduler();
    let model: Model | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      const built = checkRuns(scheduler, {
        interval: 5000,
        timeout: 6000,
        max: 15,
        born$: cold('a', { a: {} }),
        // The producer answers the 10 s check at 12 s (naming the origin, as the broker's op record does).
        ended$: cold('12s o', { o: 0 }),
      });
      model = built.model;
      expectObservable(built.runs$, '^ 40s !').toBe('10s a 4999ms b', { a: 'check:0', b: 'done:0' });
    });
    expect(model?.halfOffset).toBe(model?.halves.length);
    // The queue drained, so the op record is no longer needed either.
    expect(model?.opOffset).toBe(1);
  });

  it('leaves younger halves for later runs and walks older ones in arrival order', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { runs$ } = checkRuns(scheduler, {
        interval: 5000,
        timeout: 6000,
        max: 1,
        born$: cold('a 2999ms b 3999ms c', { a: {}, b: {}, c: {} }),
      });
      // 10 s: halves 0 (10 s old) and 1 (7 s) are asked about, 2 (3 s) waits; 15 s: 2 is asked and the
      // copies of 0 and 1 are given up; 20 s: the copy of 2 is given up.
      expectObservable(runs$, '^ 30s !').toBe('10s a 4999ms b 4999ms c', {
        a: 'check:0 check:1',
        b: 'check:2 discard:0 discard:1',
        c: 'discard:2',
      });
    });
  });

  it('defers a half with its own longer immunity instead of holding up the ones behind it', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { runs$ } = checkRuns(scheduler, {
        interval: 5000,
        timeout: 6000,
        max: 1,
        born$: cold('a 999ms b', { a: { immunityMs: 12_000 }, b: {} }),
      });
      expectObservable(runs$, '^ 16s !').toBe('5s a 4999ms b 4999ms c', {
        a: 'defer:0',
        b: 'check:1 defer:0',
        c: 'discard:1 check:0',
      });
    });
  });
});

describe('planCheck op records', () => {
  const half = (queueOffset: number, origin: number, storeTimestamp: number): HalfEntry => ({
    queueOffset,
    origin,
    bornTimestamp: 0,
    storeTimestamp,
    checkTimes: 1,
    immunityMs: undefined,
  });
  const op = (opOffset: number, origin: number, storeTimestamp: number): OpEntry => ({
    opOffset,
    origin,
    storeTimestamp,
  });

  it('keeps an op record while a copy stored before it may still lie ahead of the walk', () => {
    const plan = planCheck({
      now: 100_000,
      transactionTimeOut: 6000,
      transactionCheckMax: 15,
      halfOffset: 10,
      opOffset: 3,
      // The walk passed 10 (stored at 50) only; the op record (stored at 60) names origin 2, and a copy of
      // it stored later than 50 may still lie at 11: no half stored after the op record has been passed.
      halves: [half(10, 2, 50)],
      ops: [op(3, 2, 60)],
      halfMaxOffset: 12,
    });
    expect(plan.decisions.map((d) => d.action)).toEqual(['done']);
    expect(plan.nextHalfOffset).toBe(11);
    expect(plan.nextOpOffset).toBe(3);
  });

  it('retires op records once the walk passed a half stored after them, and skips records naming nothing', () => {
    const plan = planCheck({
      now: 100_000,
      transactionTimeOut: 6000,
      transactionCheckMax: 15,
      halfOffset: 10,
      opOffset: 3,
      halves: [half(10, 2, 50), half(11, 7, 70)],
      ops: [{ opOffset: 3, origin: undefined, storeTimestamp: 1 }, op(4, 2, 60), op(5, 20, 65)],
      halfMaxOffset: 30,
    });
    expect(plan.decisions.map((d) => d.action)).toEqual(['done', 'check']);
    // Origin 20 is not behind the walk yet: its half may still come.
    expect(plan.nextOpOffset).toBe(5);
  });
});
