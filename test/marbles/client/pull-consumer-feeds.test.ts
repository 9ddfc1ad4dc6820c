import { NEVER, type Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createFetchBuffer } from '../../../src/client/pull-consumer/fetch-buffer.js';
import { type QueueSeek, queueFeeds$ } from '../../../src/client/pull-consumer/queue-feeds.js';
import type { PullRequest, PullResult } from '../../../src/client/pull-loop.js';
import type { MessageQueue } from '../../../src/client/queue-selector.js';
import type { MessageExt } from '../../../src/protocol/message.js';
import { extAt } from '../../fixtures/client/records.js';

const q0: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 0 };
const q1: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 1 };

const found = (next: number, offsets: number[]): PullResult<MessageExt> => ({
  status: 'FOUND',
  nextBeginOffset: next,
  minOffset: 0,
  maxOffset: 100,
  messages: offsets.map((o) => extAt(o)),
});

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** The feed's deps over `answer`, recording each pull as [virtual time, queue id, offset]. */
function setup(
  scheduler: TestScheduler,
  answer: (request: PullRequest, n: number) => Observable<PullResult<MessageExt>>,
  seeks$: Observable<QueueSeek> = NEVER,
  startOffset$: (queue: MessageQueue) => Observable<number> = () => of(0),
) {
  const buffer = createFetchBuffer();
  const pulls: [number, number, number][] = [];
  const moved: [number, number][] = [];
  const errors: string[] = [];
  const deps = {
    startOffset$,
    pull$: (request: PullRequest) => {
      pulls.push([scheduler.now(), request.queue.queueId, request.queueOffset]);
      return answer(request, pulls.length - 1);
    },
    seeks$,
    buffer,
    onOffsetMoved: (queue: MessageQueue, offset: number) => moved.push([queue.queueId, offset]),
    onError: (error: unknown) => errors.push(String(error)),
  };
  const taken = () => buffer.take(100, () => undefined).map((m) => m.queueOffset);
  return { deps, pulls, moved, errors, taken };
}

describe('queueFeeds$ (virtual time)', () => {
  it('retries a failed pull from the same offset 3 s later, and a failed start offset too', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold }) => {
      let starts = 0;
      const s = setup(
        scheduler,
        (_r, n) => [cold<PullResult<MessageExt>>('--#'), cold('--(a|)', { a: found(2, [0, 1]) })][n] ?? NEVER,
        NEVER,
        () => (starts++ === 0 ? throwError(() => new Error('no route')) : of(0)),
      );
      queueFeeds$(of([q0]), s.deps).subscribe();
      scheduler.flush();
      expect(s.pulls).toEqual([
        [3000, 0, 0],
        [6002, 0, 0],
        [6004, 0, 2],
      ]);
      expect(s.errors).toHaveLength(2);
      expect(s.taken()).toEqual([0, 1]);
    });
  });

  it('a seek cancels the pull in flight and starts over at the offset; what was buffered is skipped', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, hot, expectSubscriptions }) => {
      const first = cold('(a|)', { a: found(2, [0, 1]) });
      const parked = cold('-----a', { a: found(3, [2]) });
      const afterSeek = cold('-(a|)', { a: found(9, [7, 8]) });
      const s = setup(
        scheduler,
        (_r, n) => [first, parked, afterSeek][n] ?? NEVER,
        hot<QueueSeek>('--s', { s: { queue: q0, offset: 7 } }),
      );
      queueFeeds$(of([q0]), s.deps).subscribe();
      scheduler.flush();
      expectSubscriptions(parked.subscriptions).toBe('^-!');
      expect(s.pulls).toEqual([
        [0, 0, 0],
        [0, 0, 2],
        [2, 0, 7],
        [3, 0, 9],
      ]);
      expect(s.taken()).toEqual([7, 8]);
    });
  });

  it('starts a queue that joins the assignment and stops one that leaves it', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, hot, expectSubscriptions }) => {
      const byQueue = [cold<PullResult<MessageExt>>('-'), cold<PullResult<MessageExt>>('-')];
      const s = setup(scheduler, (r) => byQueue[r.queue.queueId]!);
      const sub = queueFeeds$(hot('a-b-c', { a: [q0], b: [q0, q1], c: [q1] }), s.deps).subscribe();
      scheduler.schedule(() => {
        sub.unsubscribe();
      }, 8);
      scheduler.flush();
      expectSubscriptions(byQueue[0]!.subscriptions).toBe('^---!');
      expectSubscriptions(byQueue[1]!.subscriptions).toBe('--^-----!');
    });
  });

  it('an offset the broker moved is reported and the queue starts over there', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const illegal: PullResult<MessageExt> = {
        status: 'OFFSET_ILLEGAL',
        nextBeginOffset: 5,
        minOffset: 5,
        maxOffset: 9,
        messages: [],
      };
      const s = setup(scheduler, (r) => (r.queueOffset === 0 ? of(illegal) : NEVER));
      queueFeeds$(of([q0]), s.deps).subscribe();
      scheduler.flush();
      expect(s.moved).toEqual([[0, 5]]);
      expect(s.pulls).toEqual([
        [0, 0, 0],
        [0, 0, 5],
      ]);
    });
  });
});
