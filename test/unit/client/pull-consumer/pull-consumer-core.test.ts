import { first, toArray } from 'ix/asynciterable';
import { take } from 'ix/asynciterable/operators';
import { NEVER, type Observable, asyncScheduler, filter, firstValueFrom, of, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PullConsumer } from '../../../../src/client/pull-consumer.js';
import type { TopicSubscription } from '../../../../src/client/pull-consumer/assignment.js';
import { createPullConsumerCore } from '../../../../src/client/pull-consumer/pull-consumer-core.js';
import type {
  PullConsumerPorts,
  PullConsumerSettings,
} from '../../../../src/client/pull-consumer/pull-consumer-core-types.js';
import type { PullRequest, PullResult } from '../../../../src/client/pull-loop.js';
import type { MessageQueue } from '../../../../src/client/queue-selector.js';
import { queueKey } from '../../../../src/client/rebalance/rebalance.js';
import { allocateAveragely } from '../../../../src/client/rebalance/strategies.js';
import { bySql } from '../../../../src/client/subscription.js';
import { Sql92SyntaxError } from '../../../../src/protocol/filter/sql92.js';
import type { ConsumerData } from '../../../../src/protocol/headers/client.js';
import type { MessageExt } from '../../../../src/protocol/message.js';
import { extAt } from '../../../fixtures/client/records.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';

const q = (queueId: number): MessageQueue => ({ topic: 'T', brokerName: 'b', queueId });
const [q0, q1] = [q(0), q(1)];
const ext = (queue: MessageQueue, offset: number): MessageExt => ({
  ...extAt(offset),
  queueId: queue.queueId,
});

interface FakeOptions {
  /** Every queue holds offsets [min, max); a pull at max parks (never answers), as long polling does. */
  readonly max?: number;
  readonly min?: number;
  /** Messages per pull answer. */
  readonly batch?: number;
  readonly clientIds?: readonly string[];
  /** Committed offsets shared between consumers of one test, by queue key. */
  readonly stored?: Map<string, number>;
}

/** Brokers and a client instance in memory, recording what the consumer asked of them. */
function fakePorts(options: FakeOptions = {}) {
  const { max = 5, min = 0, batch = 2, clientIds = ['a'] } = options;
  const stored = options.stored ?? new Map<string, number>();
  const pulls: PullRequest[] = [];
  const subscriptions: TopicSubscription[] = [];
  const writes: [string, number][] = [];
  const joins: ConsumerData[] = [];
  const calls = { leave: 0, release: 0 };
  const answer = (request: PullRequest): Observable<PullResult<MessageExt>> => {
    const from = request.queueOffset;
    if (from < min || from > max)
      return of({
        status: 'OFFSET_ILLEGAL',
        nextBeginOffset: min,
        minOffset: min,
        maxOffset: max,
        messages: [],
      });
    if (from === max) return NEVER;
    const to = Math.min(from + batch, max);
    const messages = Array.from({ length: to - from }, (_, i) => ext(request.queue, from + i));
    return of({ status: 'FOUND', nextBeginOffset: to, minOffset: min, maxOffset: max, messages });
  };
  const ports: PullConsumerPorts = {
    pull$: (request, subscription) => {
      pulls.push(request);
      subscriptions.push(subscription);
      return answer(request);
    },
    offsets: {
      read$: (queue) => of(stored.get(queueKey(queue))),
      write$: (queue, offset) => {
        writes.push([queueKey(queue), offset]);
        stored.set(queueKey(queue), offset);
        return of(undefined);
      },
    },
    minOffset$: () => of(min),
    maxOffset$: () => of(max),
    searchOffset$: (_queue, timestamp) => of(Math.min(max, timestamp)),
    queues$: () => of([q(3), q(2), q1, q0]),
    rebalance: { queues$: () => of([q0, q1, q(2), q(3)]), clientIds$: () => of(clientIds) },
    join$: (_topic, describe) => {
      joins.push(describe());
      return of(undefined);
    },
    leave$: () => {
      calls.leave++;
      return of(undefined);
    },
    release: () => {
      calls.release++;
      return Promise.resolve();
    },
  };
  return { ports, pulls, subscriptions, writes, joins, calls, stored };
}

const settings = (over: Partial<PullConsumerSettings> = {}): PullConsumerSettings => ({
  group: 'g',
  clientId: 'a',
  model: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  consumeTimestamp: 0,
  autoCommit: true,
  autoCommitIntervalMs: 60_000,
  pullBatchSize: 3,
  pullThresholdForQueue: 1000,
  pullThresholdSizeForQueue: 1 << 30,
  pollTimeoutMs: 20,
  allocateStrategy: allocateAveragely,
  rebalanceIntervalMs: 60_000,
  logger: recordingLogger(),
  scheduler: asyncScheduler,
  ...over,
});

const opened: PullConsumer[] = [];
const consumerOn = (ports: PullConsumerPorts, over: Partial<PullConsumerSettings> = {}): PullConsumer => {
  const consumer = createPullConsumerCore(ports, settings(over));
  opened.push(consumer);
  return consumer;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

const offsetsOf = (messages: readonly MessageExt[]): number[] => messages.map((m) => m.queueOffset);
const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('pull consumer: assign and poll', () => {
  it('hands out messages in offset order, at most pullBatchSize per poll, [] once nothing comes', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports);
    consumer.assign([q0]);
    expect(offsetsOf(await consumer.poll())).toEqual([0, 1, 2]);
    expect(offsetsOf(await consumer.poll())).toEqual([3, 4]);
    expect(await consumer.poll(10)).toEqual([]);
    expect((await consumer.poll())[0]).toBeUndefined();
  });

  it('commit() stores the offset past what was handed out; pulls never carry an offset', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports, { autoCommit: false });
    consumer.assign([q0]);
    await consumer.poll();
    await consumer.commit();
    expect(fake.writes).toEqual([['T@b@0', 3]]);
    expect(await consumer.committed(q0)).toBe(3);
    expect(fake.pulls.every((p) => p.commitOffset === 0)).toBe(true);
  });

  it('without autoCommit, close() writes only what commit() committed', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports, { autoCommit: false });
    consumer.assign([q0]);
    await consumer.poll();
    await consumer.commit();
    await consumer.poll();
    await consumer.close();
    expect(fake.writes).toEqual([['T@b@0', 3]]);
    expect(fake.calls.release).toBe(1);
  });

  it('a failed offset write rejects commit() with ERR_COMMIT_FAILED and a log line; the next commit retries', async () => {
    const fake = fakePorts();
    let failing = true;
    const logger = recordingLogger();
    const consumer = consumerOn(
      {
        ...fake.ports,
        offsets: {
          ...fake.ports.offsets,
          write$: (queue, offset) =>
            failing ? throwError(() => new Error('broker gone')) : fake.ports.offsets.write$(queue, offset),
        },
      },
      { autoCommit: false, logger },
    );
    consumer.assign([q0]);
    await consumer.poll();
    await expect(consumer.commit()).rejects.toMatchObject({ code: 'ERR_COMMIT_FAILED', retriable: true });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'offset commit failed' }),
    );
    failing = false;
    await consumer.commit();
    expect(fake.writes).toEqual([['T@b@0', 3]]);
  });

  it('a new consumer of the group starts at the committed offset', async () => {
    const stored = new Map<string, number>();
    const first = consumerOn(fakePorts({ stored }).ports);
    first.assign([q0]);
    expect(offsetsOf(await first.poll())).toEqual([0, 1, 2]);
    await first.close();

    const second = consumerOn(fakePorts({ stored }).ports);
    second.assign([q0]);
    expect(offsetsOf(await second.poll())).toEqual([3, 4]);
  });

  it('reading before assign() or subscribe() is refused, and so is anything after close()', async () => {
    const consumer = consumerOn(fakePorts().ports);
    await expect(consumer.poll()).rejects.toMatchObject({ code: 'ERR_NOT_SUBSCRIBED' });
    await expect(first(consumer.messages())).rejects.toMatchObject({ code: 'ERR_NOT_SUBSCRIBED' });
    await consumer.close();
    expect(() => {
      consumer.assign([q0]);
    }).toThrow(expect.objectContaining({ code: 'ERR_CONSUMER_CLOSED' }));
  });
});

describe('pull consumer: seek', () => {
  it('moves the next message of an assigned queue; its buffered messages are not handed out', async () => {
    const fake = fakePorts({ max: 10 });
    const consumer = consumerOn(fake.ports);
    consumer.assign([q0]);
    expect(offsetsOf(await consumer.poll())).toEqual([0, 1, 2]);
    await consumer.seek(q0, 1);
    expect(offsetsOf(await consumer.poll())).toEqual([1, 2, 3]);
    await consumer.seekToEnd(q0);
    expect(await consumer.poll(10)).toEqual([]);
    await consumer.commit();
    expect(fake.writes.at(-1)).toEqual(['T@b@0', 10]);
    await consumer.seekToBegin(q0);
    expect(offsetsOf(await consumer.poll())).toEqual([0, 1, 2]);
    expect(await consumer.offsetForTimestamp(q0, 7)).toBe(7);
  });

  it('refuses an offset outside the queue and a queue not assigned', async () => {
    const consumer = consumerOn(fakePorts({ min: 2, max: 10 }).ports);
    consumer.assign([q0]);
    await expect(consumer.seek(q0, 11)).rejects.toMatchObject({ code: 'ERR_OFFSET_OUT_OF_RANGE' });
    await expect(consumer.seek(q0, 1)).rejects.toMatchObject({ code: 'ERR_OFFSET_OUT_OF_RANGE' });
    await expect(consumer.seek(q1, 3)).rejects.toMatchObject({ code: 'ERR_QUEUE_NOT_ASSIGNED' });
  });

  it('starts again where the broker says when the offset is out of range', async () => {
    const consumer = consumerOn(fakePorts({ min: 3, max: 6 }).ports);
    consumer.assign([q0]);
    expect(offsetsOf(await consumer.poll())).toEqual([3, 4, 5]);
  });
});

describe('pull consumer: iteration and backpressure', () => {
  it('pulls a queue only while its buffer has room; taking a message makes room', async () => {
    const fake = fakePorts({ max: 100, batch: 2 });
    const consumer = consumerOn(fake.ports, { pullThresholdForQueue: 4 });
    consumer.assign([q0]);
    const iterator = consumer[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ queueOffset: 0 });
    // two pulls filled the buffer to 4; taking one left room for one more
    expect(fake.pulls.map((p) => p.queueOffset)).toEqual([0, 2, 4]);
    await macrotask();
    expect(fake.pulls).toHaveLength(3);
    await iterator.return?.();
  });

  it('breaking out of for-await stops pulling; the next iteration resumes after the last message', async () => {
    const fake = fakePorts({ max: 100, batch: 2 });
    const consumer = consumerOn(fake.ports, { pullThresholdForQueue: 4 });
    consumer.assign([q0]);
    const seen: number[] = [];
    for await (const m of consumer) {
      seen.push(m.queueOffset);
      if (seen.length === 3) break;
    }
    const pullsAtBreak = fake.pulls.length;
    await macrotask();
    expect(fake.pulls).toHaveLength(pullsAtBreak);

    const again = await toArray(consumer.messages().pipe(take(2)));
    expect(offsetsOf(again)).toEqual([3, 4]);
    expect(fake.pulls[pullsAtBreak]?.queueOffset).toBe(3);
    await consumer.close();
    expect(fake.writes).toEqual([['T@b@0', 5]]);
  });

  it('close() ends an iteration waiting for messages and commits where it started', async () => {
    const fake = fakePorts({ max: 0 });
    const consumer = consumerOn(fake.ports);
    consumer.assign([q0]);
    const waiting = consumer[Symbol.asyncIterator]().next();
    await macrotask();
    await consumer.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(fake.writes).toEqual([['T@b@0', 0]]);
    expect(fake.calls).toEqual({ leave: 0, release: 1 });
  });
});

describe('pull consumer: assignment changes', () => {
  it('a queue leaving the assignment has its offset written and its buffered messages dropped', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports);
    consumer.assign([q0, q1]);
    expect((await consumer.poll()).map((m) => [m.queue.queueId, m.queueOffset])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    consumer.assign([q1]);
    expect(fake.writes).toEqual([['T@b@0', 3]]);
    expect((await consumer.poll()).map((m) => m.queue.queueId)).toEqual([1, 1, 1]);
    expect(consumer.assignment()).toEqual([q1]);
  });

  it('subscribe() joins the group with its subscription and reads the queues the rebalance gives it', async () => {
    const fake = fakePorts({ clientIds: ['b', 'a'] });
    const consumer = consumerOn(fake.ports, { clientId: 'b' });
    await consumer.subscribe('T', 'TagA || TagB');
    const owned = await firstValueFrom(consumer.assignment$.pipe(filter((qs) => qs.length > 0)));
    expect(owned).toEqual([q(2), q(3)]);
    expect(fake.joins[0]).toMatchObject({
      groupName: 'g',
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'CLUSTERING',
      subscriptionDataSet: [{ topic: 'T', subString: 'TagA || TagB', tagsSet: ['TagA', 'TagB'] }],
    });
    await consumer.poll();
    expect(fake.subscriptions[0]).toMatchObject({
      topic: 'T',
      selector: { type: 'TAG', expression: 'TagA || TagB' },
    });
    expect(await consumer.fetchQueues('T')).toEqual([q0, q1, q(2), q(3)]);
    await consumer.close();
    expect(fake.calls).toEqual({ leave: 1, release: 1 });
  });

  it('unsubscribe() gives the topic’s queues up, writing their offsets, and leaves it out of heartbeats', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports);
    await consumer.subscribe('T');
    await firstValueFrom(consumer.assignment$.pipe(filter((qs) => qs.length === 4)));
    expect(await consumer.poll()).toHaveLength(3);
    consumer.unsubscribe('T');
    expect(consumer.assignment()).toEqual([]);
    expect(fake.writes).toEqual(
      expect.arrayContaining([
        ['T@b@0', 3],
        ['T@b@1', 0],
      ]),
    );
    await consumer.subscribe('U');
    expect(fake.joins.at(-1)?.subscriptionDataSet.map((d) => d.topic)).toEqual(['U']);
  });

  it('refuses a bad SQL92 expression, and mixing assign() with subscribe()', async () => {
    const fake = fakePorts();
    const consumer = consumerOn(fake.ports);
    await expect(consumer.subscribe('T', bySql('a >'))).rejects.toBeInstanceOf(Sql92SyntaxError);
    await consumer.subscribe('T', bySql("color = 'red'"));
    expect(fake.joins.at(-1)?.subscriptionDataSet).toMatchObject([
      { topic: 'T', subString: "color = 'red'", expressionType: 'SQL92' },
    ]);
    expect(() => {
      consumer.assign([q0]);
    }).toThrow(expect.objectContaining({ code: 'ERR_SUBSCRIBED' }));
    const assigned = consumerOn(fakePorts().ports);
    assigned.assign([q0]);
    await expect(assigned.subscribe('T')).rejects.toMatchObject({ code: 'ERR_ASSIGNED' });
  });
});
