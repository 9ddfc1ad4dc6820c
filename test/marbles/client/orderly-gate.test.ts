import { Observable, map, mergeMap, of, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type ConsumerMessage, toConsumerMessage } from '../../../src/client/consumer-message.js';
import { createOrderlyGate } from '../../../src/client/orderly/orderly-gate.js';
import { extAt } from '../../fixtures/client/records.js';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** Inner messages whose settlements are recorded as `ack 5` / `retry 5`. */
const inner = (log: string[]) => (queueOffset: number) =>
  toConsumerMessage(extAt(queueOffset, queueOffset * 100), q0, {
    ack: (m) => log.push(`ack ${m.queueOffset}`),
    retry: (m) => log.push(`retry ${m.queueOffset}`),
  });

/** A batch's offsets and reconsume counts, as `5` or `5r1` (offset 5, reconsumed once), joined by `+`. */
const label = (batch: readonly ConsumerMessage[]): string =>
  batch.map((m) => `${m.queueOffset}${m.reconsumeTimes > 0 ? `r${m.reconsumeTimes}` : ''}`).join('+');

describe('orderly gate', () => {
  it('consume lock: hands out the next batch of a queue only once the previous one is settled', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('a-b-c', { a: make(5), b: make(6), c: make(7) });
      const gate = createOrderlyGate({ maxReconsumeTimes: 16 });
      const handed: (readonly ConsumerMessage[])[] = [];
      const out$ = gate.batches$(source$).pipe(tap((batch) => handed.push(batch)));
      hot('----x---y---z').subscribe((t) => {
        const batch = handed[{ x: 0, y: 1, z: 2 }[t]!];
        for (const m of batch ?? []) m.ack();
      });
      expectObservable(out$.pipe(map(label))).toBe('a---b---c', { a: '5', b: '6', c: '7' });
    });
    expect(log).toEqual(['ack 5', 'ack 6', 'ack 7']);
  });

  it('hands out up to batchSize pulled messages together, in offset order', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('(abc)', { a: make(5), b: make(6), c: make(7) });
      const gate = createOrderlyGate({ maxReconsumeTimes: 16, batchSize: 2 });
      const out$ = gate.batches$(source$).pipe(
        tap((batch) => {
          for (const m of batch) m.ack();
        }),
      );
      expectObservable(out$.pipe(map(label))).toBe('(ab)', { a: '5+6', b: '7' });
    });
    expect(log).toEqual(['ack 5', 'ack 6', 'ack 7']);
  });

  it('suspend and retry: a failed message holds its queue for suspendMs, then comes back first, once more reconsumed', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('(ab)', { a: make(5), b: make(6) });
      const gate = createOrderlyGate({ maxReconsumeTimes: 16, suspendMs: 1000 });
      let failures = 2;
      const out$ = gate.batches$(source$).pipe(
        tap((batch) => {
          for (const m of batch) {
            if (m.queueOffset === 5 && failures-- > 0) m.retry();
            else m.ack();
          }
        }),
      );
      expectObservable(out$.pipe(map(label))).toBe('a 999ms b 999ms (cd)', {
        a: '5',
        b: '5r1',
        c: '5r2',
        d: '6',
      });
    });
    // nothing went to the broker's retry topic: the retries were local
    expect(log).toEqual(['ack 5', 'ack 6']);
  });

  it('after maxReconsumeTimes the message is dead-lettered and its queue moves on', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, cold, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('(ab)', { a: make(5), b: make(6) });
      const gate = createOrderlyGate({
        maxReconsumeTimes: 2,
        suspendMs: 10,
        deadLetter$: (m): Observable<void> => {
          log.push(`dlq ${m.queueOffset} after ${m.reconsumeTimes}`);
          return cold('--|');
        },
      });
      const out$ = gate.batches$(source$).pipe(
        tap((batch) => {
          for (const m of batch) {
            if (m.queueOffset === 5) m.retry();
            else m.ack();
          }
        }),
      );
      expectObservable(out$.pipe(map(label))).toBe('a 9ms b 9ms c 1ms d', {
        a: '5',
        b: '5r1',
        c: '5r2',
        d: '6',
      });
    });
    expect(log).toEqual(['dlq 5 after 2', 'ack 5', 'ack 6']);
  });

  it('a failed DLQ write keeps the queue suspended and the message is tried again', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('a', { a: make(5) });
      let writes = 0;
      const gate = createOrderlyGate({
        maxReconsumeTimes: 0,
        suspendMs: 10,
        deadLetter$: () => (writes++ === 0 ? throwError(() => new Error('broker down')) : of(undefined)),
        onGiveUp: (_m, reason) => log.push(reason.split(':')[0]!),
      });
      const out$ = gate.batches$(source$).pipe(
        tap((batch) => {
          for (const m of batch) m.retry();
        }),
      );
      expectObservable(out$.pipe(map(label))).toBe('a 9ms b', { a: '5', b: '5' });
    });
    expect(log).toEqual(['DLQ write failed, retried', 'ack 5']);
  });

  it('close$ waits for the batch in the handler, then no batch is handed out any more', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('(ab)', { a: make(5), b: make(6) });
      const gate = createOrderlyGate({ maxReconsumeTimes: 16 });
      const handed: (readonly ConsumerMessage[])[] = [];
      const out$ = gate.batches$(source$).pipe(tap((batch) => handed.push(batch)));
      hot('---x').subscribe(() => handed[0]?.[0]?.ack());
      // asked to close while 5 is in the handler: done when 5 is acked, and 6 never goes out
      const closed$ = hot('-c').pipe(
        mergeMap(() => gate.close$()),
        map(() => 'closed'),
      );
      expectObservable(out$.pipe(map(label))).toBe('a', { a: '5' });
      expectObservable(closed$).toBe('---c', { c: 'closed' });
    });
    expect(log).toEqual(['ack 5']);
  });

  it('waits for ready$ (the broker lock) before each batch', () => {
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      const make = inner(log);
      const source$ = hot('(ab)', { a: make(5), b: make(6) });
      const held$ = hot('--t---t', { t: true });
      const gate = createOrderlyGate({ maxReconsumeTimes: 16, ready$: () => held$ });
      const out$ = gate.batches$(source$).pipe(
        tap((batch) => {
          for (const m of batch) m.ack();
        }),
      );
      expectObservable(out$.pipe(map(label))).toBe('--a---b', { a: '5', b: '6' });
    });
  });
});

describe('orderly gate backlog', () => {
  it('a backlog settled synchronously batch by batch goes through in order without growing the stack', () => {
    const log: string[] = [];
    const make = inner(log);
    const offsets = Array.from({ length: 5000 }, (_, i) => i);
    const gate = createOrderlyGate({ maxReconsumeTimes: 16 });
    const handed: number[] = [];
    // the whole backlog arrives while the first message is in the handler, then each is acked as it comes
    let first: ConsumerMessage | undefined;
    gate
      .batches$(
        new Observable<ConsumerMessage>((subscriber) => {
          for (const o of offsets) subscriber.next(make(o));
          first?.ack();
        }),
      )
      .subscribe((batch) => {
        for (const m of batch) {
          handed.push(m.queueOffset);
          if (first === undefined) first = m;
          else m.ack();
        }
      });
    expect(handed).toEqual(offsets);
    expect(log).toHaveLength(offsets.length);
  });
});
