import { type Observable, map, mergeMap, of, takeUntil, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Invoke } from '../../../src/client/consumer-api.js';
import { type QueueLocks, createQueueLocks } from '../../../src/client/orderly/queue-locks.js';
import { RebalanceLockManager } from '../../../src/broker/managers/rebalance-lock-manager.js';
import type { TopicRouteData } from '../../../src/protocol/headers/namesrv-bodies.js';
import {
  encodeLockBatchResponseBody,
  parseLockBatchRequestBody,
  parseUnlockBatchRequestBody,
} from '../../../src/protocol/headers/lock.js';
import { type RemotingCommand, createResponse } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';

const route: TopicRouteData = {
  queueDatas: [{ brokerName: 'b', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
  brokerDatas: [{ cluster: 'c', brokerName: 'b', brokerAddrs: { '0': 'master:10911' } }],
  filterServerTable: {},
};
const q = (queueId: number) => ({ topic: 'T', brokerName: 'b', queueId });

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** The broker's real lock table behind a 1 ms round trip; `down()` says whether calls fail now. */
function brokerInvoke(table: RebalanceLockManager, down: () => boolean = () => false): Invoke {
  return (_address, request): Observable<RemotingCommand> =>
    timer(1).pipe(
      mergeMap(() => (down() ? throwError(() => new Error('connection refused')) : [request])),
      map((r) => {
        if (r.code === RequestCode.LOCK_BATCH_MQ) {
          const body = parseLockBatchRequestBody(r.body);
          const lockOKMQSet = table.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
          return createResponse(r, ResponseCode.SUCCESS, {
            body: encodeLockBatchResponseBody({ lockOKMQSet }),
          });
        }
        const body = parseUnlockBatchRequestBody(r.body);
        table.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
        return createResponse(r, ResponseCode.SUCCESS);
      }),
    );
}

const locksFor = (clientId: string, invoke: Invoke, scheduler: TestScheduler): QueueLocks =>
  createQueueLocks({
    invoke,
    routes: () => of(route),
    group: 'g',
    clientId,
    timeoutMs: 3000,
    scheduler,
  });

const ids = (locks: QueueLocks): number[] => locks.held().map((m) => m.queueId);

describe('orderly broker locks (client side)', () => {
  it('holds only what the broker granted; a queue freed by its owner is taken at the next renewal, not before', () => {
    const scheduler = newScheduler();
    const samples: Record<string, [number[], number[]]> = {};
    scheduler.run(({ hot }) => {
      const table = new RebalanceLockManager(() => scheduler.now());
      const a = locksFor('A', brokerInvoke(table), scheduler);
      const b = locksFor('B', brokerInvoke(table), scheduler);
      a.want$([q(0), q(1)]).subscribe();
      hot('-- 10ms x')
        .pipe(mergeMap(() => b.want$([q(1), q(2)])))
        .subscribe();
      // the loops run for 30 s of virtual time
      const end$ = hot('30s x');
      b.renewLoop$().pipe(takeUntil(end$)).subscribe();
      a.renewLoop$().pipe(takeUntil(end$)).subscribe();
      // A gives q1 up at 5 s; B's renewal at 20 s takes it
      hot('5s x')
        .pipe(mergeMap(() => a.unlock$([q(1)])))
        .subscribe();
      for (const at of ['20ms', '19s', '21s'])
        hot(`${at} x`).subscribe(() => (samples[at] = [ids(a), ids(b)]));
    });
    expect(samples).toEqual({
      '20ms': [[0, 1], [2]],
      '19s': [[0], [2]],
      '21s': [[0], [1, 2]],
    });
  });

  it('renewal failing: the client stops trusting its lock 30 s after the last success', () => {
    const scheduler = newScheduler();
    const seen: boolean[] = [];
    let down = false;
    scheduler.run(({ hot, expectObservable }) => {
      const table = new RebalanceLockManager(() => scheduler.now());
      const a = locksFor(
        'A',
        brokerInvoke(table, () => down),
        scheduler,
      );
      a.want$([q(0)]).subscribe();
      a.renewLoop$()
        .pipe(takeUntil(hot('50s x')))
        .subscribe();
      hot('10ms x').subscribe(() => (down = true));
      // last success at 1 ms; renewals at 20 s (29.999 s old: kept) and 40 s (fails, too old: dropped)
      expectObservable(hot('1s x').pipe(mergeMap(() => a.held$(q(0)))), '^ 50s !').toBe('1s t 39s f', {
        t: true,
        f: false,
      });
      a.held$(q(0))
        .pipe(takeUntil(hot('50s x')))
        .subscribe((h) => seen.push(h));
    });
    expect(seen).toEqual([false, true, false]);
  });

  it('a queue no longer wanted is not held any more, and its held$ completes', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const table = new RebalanceLockManager(() => scheduler.now());
      const a = locksFor('A', brokerInvoke(table), scheduler);
      a.want$([q(0), q(1)]).subscribe();
      hot('5ms x')
        .pipe(mergeMap(() => a.want$([q(0)])))
        .subscribe();
      expectObservable(a.held$(q(1))).toBe('f t 3ms (f|)', { t: true, f: false });
    });
  });
});
