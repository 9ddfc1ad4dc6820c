import { Observable, catchError, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { RemotingConnectionError } from '../../../src/errors.js';
import {
  type RemotingCommand,
  createRequest,
  createResponse,
} from '../../../src/protocol/remoting-command.js';
import { ResponseTable } from '../../../src/remoting/response-table.js';

const answer = (opaque: number, code = 0): RemotingCommand =>
  createResponse({ ...createRequest(1), opaque }, code);

/** A call through the table, as a string per outcome: `ok<code>` or the error's class name. */
function call(
  table: ResponseTable,
  timeoutMs: number,
  onOpaque: (opaque: number) => void = () => undefined,
): Observable<string> {
  return new Observable<RemotingCommand>((subscriber) => {
    const { opaque, forget } = table.add(subscriber, timeoutMs);
    onOpaque(opaque);
    return forget;
  }).pipe(
    map((r) => `ok${r.code}`),
    catchError((e: Error) => of(e.name)),
  );
}

describe('ResponseTable', () => {
  it('resolves a call by its opaque, and times out the others in virtual time', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ expectObservable, cold }) => {
      const table = new ResponseTable('peer:1', scheduler);
      const opaques: number[] = [];
      const answered = call(table, 5, (o) => opaques.push(o));
      cold('--x').subscribe(() => table.resolve(answer(opaques[0]!, 7)));
      expectObservable(answered).toBe('--(a|)', { a: 'ok7' });
      expectObservable(call(table, 3)).toBe('---(a|)', { a: 'RemotingTimeoutError' });
      expectObservable(call(table, 1000)).toBe('1000ms (a|)', { a: 'RemotingTimeoutError' });
    });
  });

  it('times each call out at its own deadline, whatever was added, answered or forgotten before it', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ expectObservable, cold }) => {
      const table = new ResponseTable('peer:1', scheduler);
      const forgotten = call(table, 4).subscribe();
      cold('-x').subscribe(() => forgotten.unsubscribe());
      expectObservable(call(table, 20)).toBe('20ms (a|)', { a: 'RemotingTimeoutError' });
      expectObservable(call(table, 6)).toBe('------(a|)', { a: 'RemotingTimeoutError' });
      cold('---------x').subscribe(() => {
        expect(table.size).toBe(1);
      });
      cold('---------------------x').subscribe(() => {
        expect(table.size).toBe(0);
      });
    });
  });

  it('gives each call a distinct opaque and ignores answers nobody waits for', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ flush }) => {
      const table = new ResponseTable('peer:1', scheduler);
      const opaques: number[] = [];
      const results: string[] = [];
      for (let i = 0; i < 3; i++) call(table, 10, (o) => opaques.push(o)).subscribe((r) => results.push(r));
      expect(new Set(opaques).size).toBe(3);
      expect(table.resolve(answer(opaques[1]!))).toBe(true);
      expect(table.resolve(answer(opaques[1]!))).toBe(false);
      expect(table.resolve(answer(12345))).toBe(false);
      flush();
      expect(results).toEqual(['ok0', 'RemotingTimeoutError', 'RemotingTimeoutError']);
      expect(table.resolve(answer(opaques[0]!))).toBe(false);
      expect(table.size).toBe(0);
    });
  });

  it('forgets a call when its caller unsubscribes, cancelling its timeout', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ flush }) => {
      const table = new ResponseTable('peer:1', scheduler);
      const results: string[] = [];
      const subscription = call(table, 10).subscribe((r) => results.push(r));
      expect(table.size).toBe(1);
      subscription.unsubscribe();
      expect(table.size).toBe(0);
      flush();
      expect(results).toEqual([]);
    });
  });

  it('failAll errors every waiting call with a connection error naming the peer', () => {
    const table = new ResponseTable('peer:1');
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      new Observable<RemotingCommand>((sub) => table.add(sub, 60_000).forget).subscribe({
        error: (e: unknown) => errors.push(e),
      });
    }
    table.failAll('gone');
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e).toBeInstanceOf(RemotingConnectionError);
      expect((e as Error).message).toBe('peer:1: gone');
    }
    expect(table.size).toBe(0);
  });
});
