import { concat, defer, of, timer, ignoreElements } from 'rxjs';
import { describe, it } from 'vitest';
import { MemoryIdempotencyStore } from '../../../src/operators/memory-idempotency-store.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

const after = (ms: number) => timer(ms).pipe(ignoreElements());

describe('MemoryIdempotencyStore', () => {
  it('expires a consuming mark after its timeout and a consumed one after its TTL, in scheduler time', () => {
    newScheduler().run(({ expectObservable }) => {
      const store = new MemoryIdempotencyStore();
      const states$ = concat(
        store.begin$('k', 't1', 10), // 0: started, consuming until 10
        store.begin$('k', 't2', 10), // 0: consuming
        after(10),
        store.begin$('k', 't3', 10), // 10: started again, the first mark expired
        store.complete$('k', 5).pipe(ignoreElements()),
        store.begin$('k', 't4', 10), // 10: consumed until 15
        after(5),
        store.begin$('k', 't5', 10), // 15: started, forgotten
      );
      expectObservable(states$).toBe('(ab) 6ms (cd) 1ms (e|)', {
        a: 'started',
        b: 'consuming',
        c: 'started',
        d: 'consumed',
        e: 'started',
      });
    });
  });

  it('releases only the mark of the token that holds it', () => {
    newScheduler().run(({ expectObservable }) => {
      const store = new MemoryIdempotencyStore();
      const states$ = concat(
        store.begin$('k', 't1', 100),
        store.release$('k', 'other').pipe(ignoreElements()),
        store.begin$('k', 't2', 100),
        store.release$('k', 't1').pipe(ignoreElements()),
        store.begin$('k', 't3', 100),
      );
      expectObservable(states$).toBe('(abc|)', { a: 'started', b: 'consuming', c: 'started' });
    });
  });

  it('counts only live keys', () => {
    newScheduler().run(({ expectObservable }) => {
      const store = new MemoryIdempotencyStore();
      const begins = Array.from({ length: 2000 }, (_, i) =>
        store.begin$(`k${i}`, 't', 1).pipe(ignoreElements()),
      );
      const size$ = concat(
        ...begins,
        after(1),
        store.begin$('live', 't', 10).pipe(ignoreElements()),
        defer(() => of(store.size)),
      );
      expectObservable(size$).toBe('-(n|)', { n: 1 });
    });
  });
});
