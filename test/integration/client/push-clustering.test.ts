import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { type PushConsumer, createPushConsumer } from '../../../src/client/push-consumer.js';
import {
  encodeGetConsumerListByGroupRequestHeader,
  parseGetConsumerListByGroupResponseBody,
} from '../../../src/protocol/headers/client.js';
import {
  decodeQueryConsumerOffsetResponseHeader,
  encodeQueryConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/consumer-offset.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess } from '../../../src/testing/broker-process.js';
import { call } from '../../fixtures/broker/broker-fixture.js';
import { bodyOf, sendNumbered, tally, waitFor } from '../../fixtures/client/push-fixture.js';
import { usePushHarness } from '../../fixtures/client/push-harness.js';

const TOPIC = 'Clustered';
const GROUP = 'cg-clustered';

let child: ChildProcess | undefined;
const harness = usePushHarness();
const { consumers, subscriptions } = harness;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

const start = (): Promise<BrokerProcess> =>
  harness.start({ topic: TOPIC, queues: 8, producerGroup: 'pg-clustered' });

/** A consumer of the group whose every message is acked and recorded in `seen`. */
function consumer(b: BrokerProcess, name: string, seen: string[]): PushConsumer {
  const c = createPushConsumer({
    group: GROUP,
    namesrv: b.namesrvAddress,
    instanceName: name,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    // only a broker's notify can move queues while a test runs
    rebalanceIntervalMs: 600_000,
  });
  consumers.push(c);
  subscriptions.push(
    c.messages$(TOPIC, '*').subscribe((m) => {
      seen.push(bodyOf(m));
      m.ack();
    }),
  );
  return c;
}

/** A member of the group in a process of its own, reporting its assignment size and every message. */
function childConsumer(b: BrokerProcess, seen: string[]): { assigned: () => number; kill: () => void } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/client/consumer-child.ts', b.namesrvAddress, TOPIC, GROUP, 'child'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child = proc;
  let assigned = 0;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const [kind, value] = line.split(' ');
    if (kind === 'assigned') assigned = Number(value);
    if (kind === 'msg') seen.push(value!);
  });
  return {
    assigned: () => assigned,
    kill: () => proc.kill('SIGKILL'),
  };
}

const sizes = (cs: readonly PushConsumer[]): number[] =>
  cs.map((c) => c.assignment(TOPIC).length).sort((a, b) => a - b);

const owned = (cs: readonly PushConsumer[]): Set<string> =>
  new Set(cs.flatMap((c) => c.assignment(TOPIC).map((q) => `${q.brokerName}@${q.queueId}`)));

describe('push consumer: clustering', () => {
  it('3 consumers of one group split 8 queues 3/3/2 and each message is delivered once', async () => {
    const b = await start();
    const seen: string[][] = [[], [], []];
    const cs = seen.map((s, i) => consumer(b, `member-${i}`, s));
    await waitFor('a 2/3/3 split covering all 8 queues', () => {
      const s = sizes(cs);
      return s.join() === '2,3,3' && owned(cs).size === 8;
    });

    const sent = await sendNumbered(harness.producer, TOPIC, 400);
    await waitFor('all 400 messages', () => tally(seen.flat()).distinct.size === sent.length);

    const all = seen.flat();
    expect(tally(all).duplicates).toBe(0);
    expect(new Set(all)).toEqual(new Set(sent));
    // every member consumed its own queues' share, nobody everything
    for (const s of seen) expect(s.length).toBeGreaterThan(0);
  });

  it('a member killed mid-stream hands its queues to the others in one rebalance, nothing lost', async () => {
    const b = await start();
    const seen: string[][] = [[], [], []];
    const cs = [consumer(b, 'member-0', seen[0]!), consumer(b, 'member-1', seen[1]!)];
    const killed = childConsumer(b, seen[2]!);
    await waitFor('a 2/3/3 split with the child', () => {
      const s = [...sizes(cs), killed.assigned()].sort((x, y) => x - y);
      return s.join() === '2,3,3' && owned(cs).size === 8 - killed.assigned();
    });
    const rebalances = cs.map(() => 0);
    cs.forEach((c, i) => {
      subscriptions.push(
        c.events$.subscribe((e) => {
          if (e.type === 'rebalanced' && e.topic === TOPIC) rebalances[i]!++;
        }),
      );
    });

    const sending = sendNumbered(harness.producer, TOPIC, 600);
    await waitFor('the child to consume some', () => seen[2]!.length >= 20);
    killed.kill();
    const sent = await sending;
    await waitFor('all 600 messages, the killed member’s included', () => {
      const distinct = tally(seen.flat()).distinct;
      return sent.every((body) => distinct.has(body));
    });

    expect(sizes(cs)).toEqual([4, 4]);
    expect(owned(cs).size).toBe(8);
    expect(rebalances).toEqual([1, 1]);
    const { duplicates } = tally(seen.flat());
    process.stdout.write(
      `handover: ${seen[2]!.length} consumed by the killed member, ${duplicates} redelivered after the kill\n`,
    );
  });

  it('unsubscribing writes the offsets and leaves the group; the next member starts where it stopped', async () => {
    const b = await start();
    const seen: string[] = [];
    const first = consumer(b, 'member-0', seen);
    await waitFor('all 8 queues', () => first.assignment(TOPIC).length === 8);
    const before = await sendNumbered(harness.producer, TOPIC, 80, 'before-');
    await waitFor('the first 80', () => tally(seen).distinct.size === before.length);

    subscriptions.splice(0).forEach((s) => {
      s.unsubscribe();
    });
    const members = async (): Promise<string[]> => {
      const response = await call(b.brokerAddress, RequestCode.GET_CONSUMER_LIST_BY_GROUP, {
        extFields: encodeGetConsumerListByGroupRequestHeader({ consumerGroup: GROUP }),
      });
      return response.code === ResponseCode.SUCCESS
        ? [...parseGetConsumerListByGroupResponseBody(response.body).consumerIdList]
        : [];
    };
    await waitFor('the group to be empty', async () => (await members()).length === 0);
    let committed = 0;
    for (let queueId = 0; queueId < 8; queueId++) {
      const response = await call(b.brokerAddress, RequestCode.QUERY_CONSUMER_OFFSET, {
        extFields: encodeQueryConsumerOffsetRequestHeader({ consumerGroup: GROUP, topic: TOPIC, queueId }),
      });
      expect(response.code).toBe(ResponseCode.SUCCESS);
      committed += decodeQueryConsumerOffsetResponseHeader(response.extFields).offset;
    }
    expect(committed).toBe(before.length);

    const after = await sendNumbered(harness.producer, TOPIC, 40, 'after-');
    const next: string[] = [];
    consumer(b, 'member-1', next);
    await waitFor('the 40 sent since', () => after.every((body) => next.includes(body)));
    // queues are read in order: had the offsets not been written, the old ones would have come first
    expect(next.sort()).toEqual([...after].sort());
  });
});
