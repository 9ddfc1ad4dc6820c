import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../../src/protocol/remoting-command.js';
import { ResponseTable } from '../../../src/remoting/response-table.js';

describe('ResponseTable', () => {
  it('resolves by opaque, times out in virtual time, and fails all on close', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable, cold }) => {
      const table = new ResponseTable('peer:1', undefined);
      const call = (timeoutMs: number, answerAt?: number): Observable<string> =>
        new Observable<RemotingCommand>((sub) => {
          const { opaque, forget } = table.add(sub, timeoutMs);
          if (answerAt !== undefined) {
            cold(`${'-'.repeat(answerAt)}x`).subscribe(() =>
              table.resolve(createResponse({ ...createRequest(1), opaque }, 0)),
            );
          }
          return forget;
        }).pipe(
          (o) =>
            new Observable<string>((s) =>
              o.subscribe({
                next: (r) => s.next(`ok${r.code}`),
                error: (e: Error) => s.next(e.name),
                complete: () => s.complete(),
              }),
            ),
        );
      expectObservable(call(5, 2)).toBe('--(a|)', { a: 'ok0' });
      expectObservable(call(3)).toBe('---a', { a: 'RemotingTimeoutError' });
    });
  });

  it('failAll errors every waiting call with a connection error', () => {
    const table = new ResponseTable('peer:1');
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) {
      new Observable<RemotingCommand>((sub) => table.add(sub, 60_000).forget).subscribe({
        error: (e: Error) => errors.push(e.name),
      });
    }
    table.failAll('gone');
    expect(errors).toEqual(['RemotingConnectionError', 'RemotingConnectionError', 'RemotingConnectionError']);
    expect(table.size).toBe(0);
  });
});
