import { TestScheduler } from 'rxjs/testing';
import { map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { batchWhileBusy } from '../../../src/operators/batch-while-busy.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('batchWhileBusy', () => {
  it('runs the first value alone and batches what queued during the job', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-bc-----d----|');
      const job = (batch: string[]) => timer(3).pipe(map(() => batch.join('')));
      expectObservable(source.pipe(batchWhileBusy(job))).toBe('---x--y-----z-|', {
        x: 'a',
        y: 'bc',
        z: 'd',
      });
      expectSubscriptions(source.subscriptions).toBe('^-------------!');
    });
  });

  it('waits for the running job before completing', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a|');
      expectObservable(source.pipe(batchWhileBusy((b: string[]) => timer(4).pipe(map(() => b.length))))).toBe(
        '----(n|)',
        { n: 1 },
      );
    });
  });

  it('passes a job error downstream and stops the source', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c');
      const job = (b: string[]) => cold(b[0] === 'b' ? '-#' : '-(x|)');
      expectObservable(source.pipe(batchWhileBusy(job))).toBe('-x-#');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('tears down the running job on unsubscribe', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const inner = cold('-----x|');
      const source = cold('a----');
      expectObservable(source.pipe(batchWhileBusy(() => inner)), '^--!').toBe('---');
      expectSubscriptions(inner.subscriptions).toBe('^--!');
    });
  });
});
