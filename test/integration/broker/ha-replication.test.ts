import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import type { SendResult } from '../../../src/client/message.js';
import type { BrokerProcess } from '../../../src/testing/broker-process.js';
import { createTopic } from '../../fixtures/broker/broker-fixture.js';
import {
  eventually,
  pullAll,
  segmentChecksums,
  sleep,
  startMaster,
  startSlave,
  untilSlaveKnows,
} from '../../fixtures/broker/ha-fixture.js';

const TOPIC = 'HaTopic';
const QUEUES = 4;

let started: BrokerProcess[] = [];
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.shutdown();
  producer = undefined;
  for (const broker of started) await broker.dispose();
  started = [];
});

async function pair(role: 'SYNC_MASTER' | 'ASYNC_MASTER', masterArgs: readonly string[] = []) {
  const master = await startMaster(role, masterArgs);
  started.push(master);
  const slave = await startSlave(master);
  started.push(slave);
  await createTopic(master.brokerAddress, TOPIC, QUEUES);
  await untilSlaveKnows(slave, TOPIC);
  producer = createProducer({ group: 'ha-pg', namesrv: master.namesrvAddress, retryTimesWhenSendFailed: 0 });
  return { master, slave, producer };
}

const bodyOf = (i: number): Buffer => Buffer.from(`ha-${String(i).padStart(7, '0')}-${'x'.repeat(150)}`);

/** Sends until the SYNC_MASTER answers SEND_OK: the slave has connected and reported. */
async function untilReplicating(p: Producer): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const result = await firstValueFrom(p.send$({ topic: 'HaProbe', body: 'probe' }));
    if (result.status === 'SEND_OK') return;
    await sleep(50);
  }
  throw new Error('the slave never caught up with the master');
}

/** `count` messages with bodies bodyOf(from..), `inFlight` sends at a time; their results in order. */
async function sendMany(p: Producer, from: number, count: number, inFlight: number): Promise<SendResult[]> {
  const results: SendResult[] = new Array<SendResult>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) {
        results[i] = await firstValueFrom(p.send$({ topic: TOPIC, body: bodyOf(from + i) }));
      }
    }),
  );
  return results;
}

const bodiesOn = async (broker: BrokerProcess): Promise<Set<string>> =>
  new Set((await pullAll(broker.brokerAddress, TOPIC, QUEUES)).map((m) => Buffer.from(m.body).toString()));

describe('HA: master and slave processes', () => {
  it('SYNC_MASTER: 100 000 acknowledged messages are byte-identical in the slave CommitLog, and the slave serves them', async () => {
    const { master, slave, producer: p } = await pair('SYNC_MASTER');
    await untilReplicating(p);
    const BATCH = 50;
    const TOTAL = 100_000;
    let nextBatch = 0;
    const statuses = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let b = nextBatch++; b < TOTAL / BATCH; b = nextBatch++) {
          const messages = Array.from({ length: BATCH }, (_, k) => ({
            topic: TOPIC,
            body: bodyOf(b * BATCH + k),
          }));
          const result = await firstValueFrom(p.sendBatch$(messages));
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + BATCH);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ SEND_OK: TOTAL });

    const served = await pullAll(slave.brokerAddress, TOPIC, QUEUES);
    expect(served).toHaveLength(TOTAL);
    const bodies = new Set(served.map((m) => Buffer.from(m.body).toString()));
    expect(bodies.size).toBe(TOTAL);
    expect(bodies.has(bodyOf(0).toString()) && bodies.has(bodyOf(TOTAL - 1).toString())).toBe(true);

    await master.stop();
    await slave.stop();
    const masterSums = await segmentChecksums(master.storeDir);
    expect(Object.keys(masterSums).length).toBeGreaterThan(10);
    expect(await segmentChecksums(slave.storeDir)).toEqual(masterSums);
  }, 240_000);

  it('SYNC_MASTER: after a SIGKILL right behind a burst of acknowledgements, every acknowledged message is on the slave', async () => {
    const { master, slave, producer: p } = await pair('SYNC_MASTER');
    await untilReplicating(p);
    const results = await sendMany(p, 0, 3000, 64);
    await master.kill();
    const acknowledged = results.flatMap((r, i) => (r.status === 'SEND_OK' ? [bodyOf(i).toString()] : []));
    expect(acknowledged).toHaveLength(3000);
    let onSlave = new Set<string>();
    await eventually(async () => {
      onSlave = await bodiesOn(slave);
      return onSlave.size >= acknowledged.length;
    }, 10_000);
    expect(acknowledged.filter((body) => !onSlave.has(body))).toEqual([]);
  }, 120_000);

  it('SYNC_MASTER: SLAVE_NOT_AVAILABLE with no slave, FLUSH_SLAVE_TIMEOUT with a slave that does not answer', async () => {
    const { slave, producer: p } = await pair('SYNC_MASTER', ['--set', 'syncFlushTimeout=500']);
    await untilReplicating(p);
    const pid = slave.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      const late = await firstValueFrom(p.send$({ topic: TOPIC, body: 'late' }));
      expect(late.status).toBe('FLUSH_SLAVE_TIMEOUT');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await slave.stop();
    const alone = await firstValueFrom(p.send$({ topic: TOPIC, body: 'alone' }));
    expect(alone.status).toBe('SLAVE_NOT_AVAILABLE');
  }, 120_000);

  it('ASYNC_MASTER: acknowledges with the slave stopped, and the slave catches up when it returns', async () => {
    const { master, slave, producer: p } = await pair('ASYNC_MASTER');
    const before = await sendMany(p, 0, 1000, 32);
    await slave.stop();
    const during = await sendMany(p, 1000, 2000, 32);
    expect([...before, ...during].every((r) => r.status === 'SEND_OK')).toBe(true);
    await slave.restart();
    const caughtUp = await eventually(async () => (await bodiesOn(slave)).size === 3000, 20_000);
    expect(caughtUp).toBe(true);
    await master.stop();
    await slave.stop();
    expect(await segmentChecksums(slave.storeDir)).toEqual(await segmentChecksums(master.storeDir));
  }, 120_000);
});
