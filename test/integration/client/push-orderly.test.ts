import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Subscription, firstValueFrom, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumerMessage } from '../../../src/client/consumer-message.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { type PushConsumer, createPushConsumer } from '../../../src/client/push-consumer.js';
import type { PushConsumerOptions } from '../../../src/client/push-consumer-options.js';
import {
  decodeGetMaxOffsetResponseHeader,
  encodeGetMaxOffsetRequestHeader,
} from '../../../src/protocol/headers/queue-offset.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call } from '../../fixtures/broker/broker-fixture.js';
import { bodyOf, createRoutedTopic, waitFor } from '../../fixtures/client/push-fixture.js';

const TOPIC = 'Orderly';
const GROUP_FAIL = 'cg-orderly-fail';

interface Seen {
  readonly body: string;
  readonly reconsumeTimes: number;
}
/** Locks renewed every second; a killed member's locks free after 5 s instead of 60. */
const LOCK_INTERVAL_MS = 1000;
const BROKER_LOCK_LIVE_MS = 5000;

let broker: BrokerProcess | undefined;
let child: ChildProcess | undefined;
let producer: Producer | undefined;
const consumers: PushConsumer[] = [];
const subscriptions: Subscription[] = [];

afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(consumers.splice(0).map((c) => c.shutdown()));
  await producer?.shutdown();
  await broker?.dispose();
  producer = undefined;
  broker = undefined;
});

async function start(queues: number): Promise<BrokerProcess> {
  broker = await startBrokerProcess({
    args: ['--set', `rebalanceLockMaxLiveTime=${BROKER_LOCK_LIVE_MS}`, '--metrics-port', '0'],
  });
  await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, TOPIC, queues);
  producer = createProducer({ group: 'pg-orderly', namesrv: broker.namesrvAddress });
  return broker;
}

/** The broker's lock table for cg-orderly as its metrics show it: `topic@queueId` -> owning client id. */
async function brokerLocks(b: BrokerProcess): Promise<Map<string, string>> {
  const text = await (await fetch(`http://${b.metricsAddress}/metrics`)).text();
  const owners = new Map<string, string>();
  for (const line of text.matchAll(/^rocketmq_orderly_queue_lock\{([^}]*)\} 1$/gm)) {
    const labels = new Map([...line[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (labels.get('group') === 'cg-orderly')
      owners.set(`${labels.get('topic')}@${labels.get('queue_id')}`, labels.get('client_id')!);
  }
  return owners;
}

/**
 * Sends `perKey` messages `k<key>:<seq>` for each of `keys` sharding keys, each key's in sequence (ordered send,
 * selectByHash), a few keys at a time.
 */
async function sendKeyed(p: Producer, keys: number, perKey: number): Promise<void> {
  const workers = 8;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let seq = 0; seq < perKey; seq++)
        for (let key = w; key < keys; key += workers)
          await firstValueFrom(p.send$({ topic: TOPIC, body: `k${key}:${seq}` }, { shardingKey: `k${key}` }));
    }),
  );
}

/** Each key's sequence numbers in the order the handlers first saw them. */
function firstSeen(bodies: readonly string[]): Map<string, number[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, number[]>();
  for (const body of bodies) {
    if (seen.has(body)) continue;
    seen.add(body);
    const [key, seq] = body.split(':');
    byKey.set(key!, [...(byKey.get(key!) ?? []), Number(seq)]);
  }
  return byKey;
}

function orderly(b: BrokerProcess, name: string, extra: Partial<PushConsumerOptions> = {}): PushConsumer {
  const c = createPushConsumer({
    group: 'cg-orderly',
    namesrv: b.namesrvAddress,
    instanceName: name,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    lockIntervalMs: LOCK_INTERVAL_MS,
    ...extra,
  });
  consumers.push(c);
  return c;
}

/** An orderly consumer whose handler records every body into `seen`. */
function recording(b: BrokerProcess, name: string, seen: string[]): PushConsumer {
  const c = orderly(b, name);
  subscriptions.push(
    c
      .consume$(
        TOPIC,
        '*',
        (m) => {
          seen.push(bodyOf(m));
          return Promise.resolve();
        },
        { orderly: true, concurrency: 4 },
      )
      .subscribe(),
  );
  return c;
}

function childConsumer(b: BrokerProcess, seen: string[]): { held: () => number; kill: () => void } {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'test/fixtures/client/orderly-consumer-child.ts',
      b.namesrvAddress,
      TOPIC,
      'cg-orderly',
      'child',
      String(LOCK_INTERVAL_MS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  child = proc;
  let held = 0;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const [kind, value] = line.split(' ');
    if (kind === 'held') held = Number(value);
    if (kind === 'msg') seen.push(value!);
  });
  return { held: () => held, kill: () => proc.kill('SIGKILL') };
}

const heldCount = (cs: readonly PushConsumer[]): number =>
  cs.reduce((n, c) => n + c.lockedQueues(TOPIC).length, 0);

async function dlqSize(b: BrokerProcess, group: string): Promise<number> {
  const response = await call(b.brokerAddress, RequestCode.GET_MAX_OFFSET, {
    extFields: encodeGetMaxOffsetRequestHeader({ topic: `%DLQ%${group}`, queueId: 0 }),
  });
  return response.code === ResponseCode.SUCCESS
    ? decodeGetMaxOffsetResponseHeader(response.extFields).offset
    : 0;
}

describe('push consumer: orderly', () => {
  it('10 000 messages over 100 keys, 3 members, one killed and one joining: each key in send order, none lost', async () => {
    const b = await start(8);
    const seen: string[] = [];
    const cs = [recording(b, 'member-0', seen), recording(b, 'member-1', seen)];
    const killed = childConsumer(b, seen);
    await waitFor(
      'all 8 queues locked, the child holding some',
      () => heldCount(cs) + killed.held() === 8 && killed.held() > 0,
    );

    const sending = sendKeyed(producer!, 100, 100);
    await waitFor('the child to consume some', () => seen.length >= 500);
    killed.kill();
    const beforeKill = seen.length;
    await waitFor('the killed member’s queues locked by the others', () => heldCount(cs) === 8, 30_000);
    cs.push(recording(b, 'member-3', seen));
    await waitFor('the newcomer to hold queues', () => cs[2]!.lockedQueues(TOPIC).length > 0, 30_000);
    await sending;
    await waitFor('all 10 000 messages', () => new Set(seen).size === 10_000, 60_000);

    const byKey = firstSeen(seen);
    expect(byKey.size).toBe(100);
    const inOrder = Array.from({ length: 100 }, (_, i) => i);
    for (const [, seqs] of byKey) expect(seqs).toEqual(inOrder);
    process.stdout.write(
      `orderly handover: ${beforeKill} handled before the kill, ${seen.length - new Set(seen).size} redelivered\n`,
    );
  }, 120_000);

  it('two members never hold the same queue’s broker lock at once, through a join and a leave', async () => {
    const b = await start(8);
    const seen: string[] = [];
    const cs = [recording(b, 'member-0', seen), recording(b, 'member-1', seen)];
    const overlaps: string[] = [];
    let samples = 0;
    const sampler = setInterval(() => {
      samples++;
      const owners = new Map<string, number>();
      for (const c of consumers)
        for (const q of c.lockedQueues(TOPIC)) {
          const key = `${q.brokerName}@${q.queueId}`;
          owners.set(key, (owners.get(key) ?? 0) + 1);
        }
      for (const [key, n] of owners) if (n > 1) overlaps.push(key);
    }, 5);
    // Against the broker's table: a queue a member holds both before and after a scrape must not be another
    // member's in it.
    const held = () =>
      new Map(
        consumers.map((c) => [
          c.clientId,
          new Set(c.lockedQueues(TOPIC).map((q) => `${q.topic}@${q.queueId}`)),
        ]),
      );
    const conflicts: string[] = [];
    let scrapes = 0;
    let checking = true;
    const checker = (async () => {
      while (checking) {
        const before = held();
        const owners = await brokerLocks(b);
        const after = held();
        scrapes++;
        for (const [client, queues] of before)
          for (const q of queues) {
            const owner = owners.get(q);
            if (after.get(client)?.has(q) === true && owner !== undefined && owner !== client)
              conflicts.push(`${q}: held by ${client}, the broker's table says ${owner}`);
          }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await waitFor('all 8 queues locked', () => heldCount(cs) === 8);
      // The broker's table may lag the members' view under load: a renewal that misses the 5 s lease lets a
      // lock lapse there until the next one, while the member keeps it (RocketMQ's client keeps it 30 s).
      await waitFor('all 8 queues locked in the broker', async () => (await brokerLocks(b)).size === 8);
      const sending = sendKeyed(producer!, 20, 50);
      const joined = recording(b, 'member-2', seen);
      await waitFor('the newcomer to hold queues', () => joined.lockedQueues(TOPIC).length > 0, 30_000);
      await consumers[0]!.shutdown();
      await waitFor('the rest to hold all 8', () => heldCount(consumers.slice(1)) === 8, 30_000);
      await sending;
      await waitFor('all 1000 messages', () => new Set(seen).size === 1000, 30_000);
    } finally {
      clearInterval(sampler);
      checking = false;
      await checker;
    }
    expect(samples).toBeGreaterThan(0);
    expect(overlaps).toEqual([]);
    expect(scrapes).toBeGreaterThan(0);
    expect(conflicts).toEqual([]);
    for (const [, seqs] of firstSeen(seen)) expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
  }, 90_000);

  /** One orderly consumer of a 4-queue topic recording what its handler sees; `fails` decides each delivery. */
  async function failing(
    maxReconsumeTimes: number,
    fails: (body: string, seen: readonly Seen[]) => boolean,
  ): Promise<{ b: BrokerProcess; seen: Seen[] }> {
    const b = await start(4);
    const c = orderly(b, 'member-0', {
      group: GROUP_FAIL,
      suspendCurrentQueueTimeMillis: 100,
      maxReconsumeTimes,
    });
    const seen: Seen[] = [];
    const handler = (m: ConsumerMessage) => {
      const body = bodyOf(m);
      seen.push({ body, reconsumeTimes: m.reconsumeTimes });
      return fails(body, seen) ? throwError(() => new Error(`${body} failed`)) : Promise.resolve();
    };
    subscriptions.push(c.consume$(TOPIC, '*', handler, { orderly: true }).subscribe());
    await waitFor('4 queues locked', () => c.lockedQueues(TOPIC).length === 4);
    // k0..k3 hash to 4 different queues
    await sendKeyed(producer!, 4, 10);
    await waitFor(
      'every key’s last message',
      () => [...firstSeen(seen.map((s) => s.body)).values()].filter((s) => s.length === 10).length === 4,
      30_000,
    );
    return { b, seen };
  }

  it('a failing message stalls only its own queue and is retried in order, reconsumeTimes counting up', async () => {
    // k0:3 fails until keys 2 and 3 are done: the other queues went on while k0's waited
    const { seen } = await failing(1000, (body, all) => {
      const byKey = firstSeen(all.map((s) => s.body));
      return body === 'k0:3' && !(byKey.get('k2')?.length === 10 && byKey.get('k3')?.length === 10);
    });
    const k0 = seen.filter((s) => s.body.startsWith('k0:'));
    const tries = k0.filter((s) => s.body === 'k0:3');
    expect(tries.length).toBeGreaterThan(1);
    expect(tries.map((s) => s.reconsumeTimes)).toEqual(tries.map((_, i) => i));
    // nothing of k0 after 3 until 3 went through
    const bodies = k0.map((s) => s.body);
    expect(bodies.filter((body) => body !== 'k0:3')).toEqual(
      [0, 1, 2, 4, 5, 6, 7, 8, 9].map((i) => `k0:${i}`),
    );
    expect(bodies.indexOf('k0:4')).toBeGreaterThan(bodies.lastIndexOf('k0:3'));
  }, 60_000);

  it('after maxReconsumeTimes local retries the message goes to the DLQ and its queue moves on', async () => {
    const { b, seen } = await failing(2, (body) => body === 'k1:5');
    await waitFor('the poison message in the DLQ', async () => (await dlqSize(b, GROUP_FAIL)) === 1, 30_000);
    expect(seen.filter((s) => s.body === 'k1:5').map((s) => s.reconsumeTimes)).toEqual([0, 1, 2]);
    const k1 = seen.filter((s) => s.body.startsWith('k1:')).map((s) => s.body);
    expect(k1.filter((body) => body !== 'k1:5')).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9].map((i) => `k1:${i}`));
  }, 60_000);
});
