import { defer, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConsumerMessage } from '../../../src/client/consumer-message.js';
import { ackOnSuccess } from '../../../src/operators/ack-on-success.js';
import type { IdempotencyStore } from '../../../src/operators/idempotency-store.js';
import { idempotent } from '../../../src/operators/idempotent.js';
import { MemoryIdempotencyStore } from '../../../src/operators/memory-idempotency-store.js';
import { MessageFactory, acked, retried } from '../../../src/testing/message-factory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

const ids = { a: acked('a'), r: retried('a'), b: acked('b') };

describe('idempotent', () => {
  it('handles a message once and acks its redeliveries without handling them', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const store = new MemoryIdempotencyStore();
      const handled: string[] = [];
      const source = cold('a--d|', { a: f.message('a'), d: f.message('a') });
      const settled$ = source.pipe(
        idempotent({ store }),
        ackOnSuccess((m) => defer(() => of(handled.push(m.msgId)))),
      );
      expectObservable(settled$).toBe('x---|', { x: expect.objectContaining({ outcome: 'ack' }) });
      expectObservable(f.settlements$).toBe('a--a', ids);
      expectObservable(defer(() => of(handled))).toBe('(h|)', { h: ['a'] });
    });
  });

  it("hands back a message another consumer holds, and handles it once that consumer's mark times out", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const store = new MemoryIdempotencyStore();
      const first = cold('a', { a: f.message('a') });
      const second = cold('--b---c', { b: f.message('a'), c: f.message('a') });
      // the first consumer dies mid-way: its handler never finishes
      first
        .pipe(
          idempotent({ store, consumingTimeoutMs: 5 }),
          ackOnSuccess(() => cold('-')),
        )
        .subscribe();
      second
        .pipe(
          idempotent({ store, consumingTimeoutMs: 5 }),
          ackOnSuccess(() => cold('-|')),
        )
        .subscribe();
      expectObservable(f.settlements$).toBe('--r----a', ids);
    });
  });

  it('drops the consuming mark on retry(), so the redelivery is handled at once', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const store = new MemoryIdempotencyStore();
      let attempts = 0;
      const source = cold('a-b', { a: f.message('a'), b: f.message('a') });
      source
        .pipe(
          idempotent({ store }),
          ackOnSuccess(() => (++attempts === 1 ? cold('-#') : cold('-|'))),
        )
        .subscribe();
      expectObservable(f.settlements$).toBe('-r-a', ids);
    });
  });

  it('forgets a consumed message after its TTL', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const store = new MemoryIdempotencyStore();
      const source = cold('a-b--c', { a: f.message('a'), b: f.message('a'), c: f.message('a') });
      source
        .pipe(
          idempotent({ store, consumedTtlMs: 3 }),
          ackOnSuccess(() => cold('-|')),
        )
        .subscribe();
      // consumed at 1 until 4: the copy at 2 is skipped, the one at 5 handled again
      expectObservable(f.settlements$).toBe('-aa---a', ids);
    });
  });

  it('keys by the function given', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const store = new MemoryIdempotencyStore();
      const source = cold('ab', {
        a: f.message('a', { keys: ['order-1'] }),
        b: f.message('b', { keys: ['order-1'] }),
      });
      const byOrder = (m: ConsumerMessage) => m.keys[0] ?? m.msgId;
      source
        .pipe(
          idempotent({ store, key: byOrder }),
          ackOnSuccess(() => of(0)),
        )
        .subscribe();
      expectObservable(f.settlements$).toBe('ab', ids);
      expectObservable(defer(() => of(store.size))).toBe('(n|)', { n: 1 });
    });
  });

  it('hands a message back and logs when the store fails, and goes on', () => {
    const logger = recordingLogger();
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const memory = new MemoryIdempotencyStore();
      let calls = 0;
      const flaky: IdempotencyStore = {
        begin$: (key, token, timeoutMs) =>
          ++calls === 1 ? throwError(() => new Error('redis down')) : memory.begin$(key, token, timeoutMs),
        complete$: (key, ttl) => memory.complete$(key, ttl),
        release$: (key, token) => memory.release$(key, token),
      };
      const source = cold('ab|', { a: f.message('a'), b: f.message('b') });
      const out$ = source.pipe(
        idempotent({ store: flaky, logger }),
        ackOnSuccess(() => of(0)),
      );
      expectObservable(out$).toBe('-x|', { x: expect.objectContaining({ outcome: 'ack' }) });
      expectObservable(f.settlements$).toBe('rb', ids);
    });
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('passes a source error on', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const source = cold('a#', { a: f.message('a') });
      const store = new MemoryIdempotencyStore();
      expectObservable(source.pipe(idempotent({ store }))).toBe('a#', {
        a: expect.objectContaining({ msgId: 'a' }),
      });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('stops waiting for the store and unsubscribes the source when unsubscribed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const slowBegin = cold<'started'>('---(s|)', { s: 'started' });
      const store: IdempotencyStore = {
        begin$: () => slowBegin,
        complete$: () => of(undefined),
        release$: () => of(undefined),
      };
      const source = cold('a----', { a: f.message('a') });
      expectObservable(source.pipe(idempotent({ store })), '^-!').toBe('--');
      expectSubscriptions(slowBegin.subscriptions).toBe('^-!');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
});
