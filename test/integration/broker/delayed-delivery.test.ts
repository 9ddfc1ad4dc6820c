import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../src/client/message.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { MQBrokerError } from '../../../src/errors.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import {
  type ArrivalCollector,
  collectArrivals,
  percentiles,
} from '../../fixtures/broker/arrival-collector.js';
import { createRoutedTopic, waitFor } from '../../fixtures/client/push-fixture.js';

const TOPIC = 'Delayed';
const QUEUES = 4;
const LEVELS_MS = [1000, 2000, 3000];
const COUNT = 1000;
/** The promise: no earlier than the delay, and at most this much after it. */
const MAX_LATE_MS = 1000;
/** A timed message is taken out once its 100 ms slot has passed: one due just before a stop waits for the restart. */
const SLOT_MARGIN_MS = 200;

let broker: BrokerProcess | undefined;
let producer: Producer | undefined;
let collector: ArrivalCollector | undefined;
afterEach(async () => {
  await collector?.stop();
  await producer?.shutdown();
  await broker?.dispose();
  collector = undefined;
  producer = undefined;
  broker = undefined;
});

async function start(
  args: readonly string[] = [],
): Promise<{ b: BrokerProcess; p: Producer; c: ArrivalCollector }> {
  const b = await startBrokerProcess({
    args: ['--set', 'messageDelayLevel=1s 2s 3s', '--set', 'flushDelayOffsetInterval=200', ...args],
  });
  broker = b;
  await createRoutedTopic(b.brokerAddress, b.namesrvAddress, TOPIC, QUEUES);
  producer = createProducer({ group: 'delay-pg', namesrv: b.namesrvAddress, sendTimeoutMs: 10_000 });
  collector = collectArrivals(b.brokerAddress, TOPIC, QUEUES);
  return { b, p: producer, c: collector };
}

/** Sends `messages` a few at a time; resolves with the time just before each send, by body. */
async function sendAll(
  p: Producer,
  messages: readonly Message[],
  concurrency = 16,
): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < messages.length) {
      const message = messages[next++]!;
      sentAt.set(message.body as string, Date.now());
      await firstValueFrom(p.send$(message));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sentAt;
}

const levelled = (count: number): Message[] =>
  Array.from({ length: count }, (_, i) => ({ topic: TOPIC, body: `m${i}`, delayLevel: 1 + (i % 3) }));

const delayOf = (body: string): number => LEVELS_MS[Number(body.slice(1)) % 3]!;

/** Distinct bodies seen, and how many arrivals repeated one. */
function tally(c: ArrivalCollector): { distinct: number; duplicates: number } {
  const distinct = new Set(c.arrivals.map((a) => a.body)).size;
  return { distinct, duplicates: c.arrivals.length - distinct };
}

describe('broker process: delay levels', () => {
  it('delivers 1000 messages across 3 levels each no earlier than its level and at most 1 s after', async () => {
    const { p, c } = await start();
    const sentAt = await sendAll(p, levelled(COUNT));
    await waitFor(
      'every delayed message',
      () => new Set(c.arrivals.map((a) => a.body)).size >= COUNT,
      20_000,
    );
    expect(tally(c)).toEqual({ distinct: COUNT, duplicates: 0 });
    const lateness: number[][] = [[], [], []];
    for (const a of c.arrivals) {
      const delay = delayOf(a.body);
      expect(a.storeTimestamp - a.bornTimestamp).toBeGreaterThanOrEqual(delay);
      expect(a.arrivedAt - sentAt.get(a.body)!).toBeGreaterThanOrEqual(delay);
      lateness[LEVELS_MS.indexOf(delay)]!.push(a.arrivedAt - sentAt.get(a.body)! - delay);
      expect(a.properties.has('DELAY')).toBe(false);
    }
    for (const [i, late] of lateness.entries()) {
      console.log(`delay level ${i + 1} (${LEVELS_MS[i]} ms) lateness ms`, percentiles(late));
      expect(Math.max(...late)).toBeLessThanOrEqual(MAX_LATE_MS);
    }
  });

  it('loses none across a SIGKILL midway (duplicates, if any, counted and printed)', async () => {
    const { b, p, c } = await start(['--set', 'flushDiskType=SYNC_FLUSH']);
    await sendAll(p, levelled(COUNT));
    await waitFor('some deliveries before the kill', () => c.arrivals.length >= COUNT / 5, 10_000);
    await b.kill();
    const before = c.arrivals.length;
    await b.restart();
    await waitFor(
      'every delayed message',
      () => new Set(c.arrivals.map((a) => a.body)).size >= COUNT,
      30_000,
    );
    const { distinct, duplicates } = tally(c);
    console.log(`SIGKILL after ${before} of ${COUNT} deliveries: ${duplicates} delivered twice`);
    expect(distinct).toBe(COUNT);
  });

  it('loses none and repeats none across a clean restart midway', async () => {
    const { b, p, c } = await start();
    await sendAll(p, levelled(COUNT));
    await waitFor('some deliveries before the restart', () => c.arrivals.length >= COUNT / 5, 10_000);
    await b.restart();
    await waitFor(
      'every delayed message',
      () => new Set(c.arrivals.map((a) => a.body)).size >= COUNT,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tally(c)).toEqual({ distinct: COUNT, duplicates: 0 });
  });
});

describe('broker process: delivery times', () => {
  it('delivers messages at random times in the next 10 s each within 1 s after its time, across a restart', async () => {
    const { b, p, c } = await start();
    const base = Date.now();
    const deliverAt = new Map<string, number>();
    const messages = Array.from({ length: 200 }, (_, i): Message => {
      const at = base + 1000 + Math.floor(Math.random() * 9000);
      deliverAt.set(`t${i}`, at);
      return { topic: TOPIC, body: `t${i}`, deliverAt: at };
    });
    await sendAll(p, messages);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, base + 4000 - Date.now())));
    const down = Date.now();
    await b.restart();
    const up = Date.now();
    await waitFor('every timed message', () => new Set(c.arrivals.map((a) => a.body)).size >= 200, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(tally(c)).toEqual({ distinct: 200, duplicates: 0 });
    const lateness: number[] = [];
    const afterRestart: number[] = [];
    for (const a of c.arrivals) {
      const at = deliverAt.get(a.body)!;
      expect(a.storeTimestamp).toBeGreaterThanOrEqual(at);
      expect(a.arrivedAt).toBeGreaterThanOrEqual(at);
      // Due while the broker was stopping or down (or in the last slot before): within 1 s of its return.
      const promised = at >= down - SLOT_MARGIN_MS && at < up ? up : at;
      lateness.push(a.arrivedAt - at);
      if (promised === at) afterRestart.push(a.arrivedAt - at);
      expect(a.arrivedAt - promised).toBeLessThanOrEqual(MAX_LATE_MS);
      expect(a.properties.has('TIMER_DELIVER_MS')).toBe(false);
    }
    console.log(`deliverAt lateness ms, all (restart took ${up - down} ms)`, percentiles(lateness));
    console.log('deliverAt lateness ms, not due while the broker was down', percentiles(afterRestart));
  });

  it('refuses a delivery time beyond timerMaxDelaySec with MESSAGE_ILLEGAL', async () => {
    const { p } = await start(['--set', 'timerMaxDelaySec=60']);
    const error = await firstValueFrom(
      p.send$({ topic: TOPIC, body: 'x', deliverAt: Date.now() + 120_000 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MQBrokerError);
    expect((error as MQBrokerError).responseCode).toBe(13);
    expect((error as MQBrokerError).message).toMatch(/timerMaxDelaySec/);
  });
});
