import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireClientInstance } from '../../../src/client/client-instance.js';
import type { PulledMessage } from '../../../src/client/consumer-message.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import {
  type PullConsumer,
  type PullConsumerOptions,
  createPullConsumer,
  pullConsumerSettings,
} from '../../../src/client/pull-consumer.js';
import { createClientPullConsumerPorts } from '../../../src/client/pull-consumer/client-ports.js';
import { createPullConsumerCore } from '../../../src/client/pull-consumer/pull-consumer-core.js';
import type { MessageQueue } from '../../../src/client/queue-selector.js';
import { queueKey } from '../../../src/client/rebalance/rebalance.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { createRoutedTopic, waitFor } from '../../fixtures/client/push-fixture.js';
import { useTempDir } from '../../helpers/temp-dir.js';

/** One broker process for the file; every test has topics and groups of its own. */
let broker: BrokerProcess;
let producer: Producer;
beforeAll(async () => {
  broker = await startBrokerProcess();
  producer = createProducer({ group: 'pg-pull', namesrv: broker.namesrvAddress });
});
afterAll(async () => {
  await producer.shutdown();
  await broker.dispose();
});

const open: PullConsumer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const options = (group: string, over: Partial<PullConsumerOptions> = {}): PullConsumerOptions => ({
  group,
  namesrv: broker.namesrvAddress,
  instanceName: group,
  consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  pollTimeoutMs: 200,
  ...over,
});

const consumer = (group: string, over: Partial<PullConsumerOptions> = {}): PullConsumer => {
  const c = createPullConsumer(options(group, over));
  open.push(c);
  return c;
};

const queueOf = (topic: string, queueId = 0): MessageQueue => ({ topic, brokerName: 'broker-a', queueId });
const bodyOf = (m: PulledMessage): string => Buffer.from(m.body).toString('utf8');

/** Sends `bodies` one after another to one queue, so their offsets follow their order. */
async function sendTo(queue: MessageQueue, bodies: readonly string[]): Promise<void> {
  for (const body of bodies) await firstValueFrom(producer.send$({ topic: queue.topic, body }, { queue }));
}

/** Polls until `count` messages came (the test's timeout bounds it). */
async function pollBodies(c: PullConsumer, count: number): Promise<string[]> {
  const bodies: string[] = [];
  while (bodies.length < count) bodies.push(...(await c.poll()).map(bodyOf));
  return bodies;
}

const numbered = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** Lets the wall clock pass a few milliseconds, so store timestamps on either side differ. */
const clockTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('pull consumer against a broker process', () => {
  it('reads an assigned queue from an offset it seeks to, by offset and by timestamp', async () => {
    const topic = 'PullSeek';
    await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, topic, 2);
    const queue = queueOf(topic, 1);
    await sendTo(queue, numbered('m', 0, 5));
    await clockTick();
    const middle = Date.now();
    await clockTick();
    await sendTo(queue, numbered('m', 5, 10));

    const c = consumer('cg-seek');
    expect(await c.fetchQueues(topic)).toEqual([queueOf(topic, 0), queue]);
    c.assign([queue]);
    await c.seek(queue, 3);
    expect(await pollBodies(c, 7)).toEqual(numbered('m', 3, 10));

    const offset = await c.offsetForTimestamp(queue, middle);
    expect(offset).toBe(5);
    await c.seek(queue, offset);
    expect(await pollBodies(c, 5)).toEqual(numbered('m', 5, 10));
    await c.seekToBegin(queue);
    expect((await pollBodies(c, 1))[0]).toBe('m0');
    await expect(c.seek(queue, 11)).rejects.toMatchObject({ code: 'ERR_OFFSET_OUT_OF_RANGE' });
  });

  it('a consumer of the group resumes from the offset another one committed', async () => {
    const topic = 'PullResume';
    await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, topic, 1);
    const queue = queueOf(topic);
    await sendTo(queue, numbered('r', 0, 6));

    const first = consumer('cg-resume', { autoCommit: false, pullBatchSize: 4 });
    first.assign([queue]);
    expect(await first.poll()).toHaveLength(4);
    await first.commit();
    await first.close();

    const second = consumer('cg-resume', { instanceName: 'cg-resume-2' });
    expect(await second.committed(queue)).toBe(4);
    second.assign([queue]);
    expect(await pollBodies(second, 2)).toEqual(['r4', 'r5']);
  });

  it('two subscribed consumers of one group split the queues and each message goes to one of them', async () => {
    const topic = 'PullSplit';
    await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, topic, 4);
    const settings = { rebalanceIntervalMs: 600_000 };
    const a = consumer('cg-split', { ...settings, instanceName: 'split-a' });
    const b = consumer('cg-split', { ...settings, instanceName: 'split-b' });
    await a.subscribe(topic, '*');
    await b.subscribe(topic, '*');
    // b's heartbeat makes the broker notify a, which gives half of the queues up at once
    await waitFor('the queues split 2/2', () => a.assignment().length === 2 && b.assignment().length === 2);
    const owned = [...a.assignment(), ...b.assignment()].map(queueKey);
    expect(new Set(owned).size).toBe(4);

    const bodies = numbered('s', 0, 12);
    for (const [i, body] of bodies.entries()) await sendTo(queueOf(topic, i % 4), [body]);
    const seenBy = { a: [] as PulledMessage[], b: [] as PulledMessage[] };
    await waitFor('every message polled', async () => {
      const [fromA, fromB] = await Promise.all([a.poll(100), b.poll(100)]);
      seenBy.a.push(...fromA);
      seenBy.b.push(...fromB);
      return seenBy.a.length + seenBy.b.length >= bodies.length;
    });
    expect([...seenBy.a, ...seenBy.b].map(bodyOf).sort()).toEqual([...bodies].sort());
    const mine = (c: PullConsumer, ms: PulledMessage[]) =>
      ms.every((m) => c.assignment().some((q) => queueKey(q) === queueKey(m.queue)));
    expect(mine(a, seenBy.a) && mine(b, seenBy.b)).toBe(true);
    expect(seenBy.a.length).toBeGreaterThan(0);
    expect(seenBy.b.length).toBeGreaterThan(0);
  });

  it('breaking out of for-await sends no further PULL_MESSAGE, and close() commits what was handed out', async () => {
    const topic = 'PullBreak';
    await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, topic, 1);
    const queue = queueOf(topic);
    await sendTo(queue, numbered('b', 0, 20));

    // the real consumer, with its pull port observed
    const o = options('cg-break', { pullBatchSize: 4, pullThresholdForQueue: 8 });
    const instance = acquireClientInstance(o);
    const real = createClientPullConsumerPorts(instance, {
      group: o.group,
      model: 'CLUSTERING',
      pullBatchSize: 4,
    });
    const pulls: number[] = [];
    const c = createPullConsumerCore(
      {
        ...real,
        pull$: (request, subscription) => {
          pulls.push(request.queueOffset);
          return real.pull$(request, subscription);
        },
      },
      pullConsumerSettings(o, instance),
    );
    open.push(c);
    c.assign([queue]);

    const seen: string[] = [];
    for await (const m of c) {
      seen.push(bodyOf(m));
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(numbered('b', 0, 5));
    const pullsAtBreak = pulls.length;
    // new messages would answer a parked pull and start the next one if the loop still ran
    await sendTo(queue, ['late']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pulls).toHaveLength(pullsAtBreak);
    // a pull starts only while fewer than 8 wait in the buffer: never at or past 5 taken + 8
    expect(Math.max(...pulls)).toBeLessThan(5 + 8);

    await c.close();
    const after = consumer('cg-break', { instanceName: 'cg-break-2' });
    expect(await after.committed(queue)).toBe(5);
  });
});

describe('pull consumer: broadcasting', () => {
  let dir = '';
  useTempDir('rxrocket-pull-offsets-', (path) => {
    dir = path;
  });

  it('every consumer reads every queue, and a restarted one resumes from its local offsets', async () => {
    const topic = 'PullBroadcast';
    await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, topic, 2);
    const first = ['x0', 'x1', 'x2', 'x3'];
    for (const [i, body] of first.entries()) await sendTo(queueOf(topic, i % 2), [body]);
    const member = (name: string) =>
      consumer('cg-broadcast', { model: 'BROADCASTING', instanceName: name, localOffsetStoreDir: dir });

    const a = member('bc-a');
    const b = member('bc-b');
    await Promise.all([a.subscribe(topic), b.subscribe(topic)]);
    await waitFor('both own both queues', () => a.assignment().length === 2 && b.assignment().length === 2);
    expect((await pollBodies(a, 4)).sort()).toEqual(first);
    expect((await pollBodies(b, 4)).sort()).toEqual(first);
    await a.close();

    await sendTo(queueOf(topic, 0), ['x4']);
    await sendTo(queueOf(topic, 1), ['x5']);
    const again = member('bc-a');
    await again.subscribe(topic);
    await waitFor('the restarted member owns both queues', () => again.assignment().length === 2);
    expect((await pollBodies(again, 2)).sort()).toEqual(['x4', 'x5']);
    expect(await again.poll(200)).toEqual([]);
  });
});
