import { readdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Subject, asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ScheduledEntry } from '../../../../src/broker/schedule/level-timer.js';
import { scheduledInput } from '../../../../src/broker/schedule/schedule-rewrite.js';
import { TimerCheckpoint } from '../../../../src/broker/schedule/timer-checkpoint.js';
import { TimerService } from '../../../../src/broker/schedule/timer-service.js';
import { TimerSlots } from '../../../../src/broker/schedule/timer-slots.js';
import type { PutResult } from '../../../../src/broker/store/message-store.js';
import { type DispatchInfo, encodeRecord } from '../../../../src/protocol/message-codec.js';
import type { MessageRecordInput } from '../../../../src/protocol/message.js';
import { decodeProperties, encodeProperties } from '../../../../src/protocol/properties.js';
import { messageOf } from '../../../fixtures/store/store-fixture.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir = '';
useTempDir('rxrocket-timer-service-', (path) => {
  dir = path;
});

interface Delivery {
  readonly body: string;
  readonly at: number;
  readonly deliverAt: number;
}

/** The timer topic's queue and records as the store would hold them, and a put that records deliveries. */
function fakeStore() {
  const entries: ScheduledEntry[] = [];
  const records = new Map<number, Buffer>();
  const deliveries: Delivery[] = [];
  let rolls = 0;
  const arrivals$ = new Subject<DispatchInfo>();
  let nextPhysical = 0;
  const append = (record: Buffer, deliverAt: number): void => {
    const physicalOffset = nextPhysical;
    nextPhysical += record.length;
    records.set(physicalOffset, record);
    entries.push({ queueOffset: entries.length, physicalOffset, size: record.length, tagsCode: deliverAt });
  };
  return {
    deliveries,
    rolls: () => rolls,
    /** Stores a message for delivery at `deliverAt` on the timer topic, as the scheduling put would. */
    add(body: string, deliverAt: number): void {
      const base = messageOf(entries.length, 'Real', 4);
      const props = Object.fromEntries(decodeProperties(base.properties));
      const input: MessageRecordInput = scheduledInput(
        {
          ...base,
          body: Buffer.from(body),
          properties: encodeProperties({ ...props, TIMER_DELIVER_MS: String(deliverAt) }),
        },
        { levelCount: 3, timerMaxDelayMs: 60_000, now: Math.min(Date.now(), deliverAt - 1) },
      );
      const position = {
        physicalOffset: nextPhysical,
        queueOffset: entries.length,
        storeTimestamp: Date.now(),
      };
      append(encodeRecord(input, position), deliverAt);
    },
    store: {
      readQueue: (_topic: string, _queueId: number, from: number, maxCount: number) =>
        Promise.resolve(entries.slice(from, from + maxCount)),
      readRecords: (spans: readonly { physicalOffset: number }[]) =>
        Promise.resolve(spans.map((s) => records.get(s.physicalOffset)!)),
      arrivals$,
      maxPhysicalOffset: Number.MAX_SAFE_INTEGER,
    },
    put: (inputs: readonly MessageRecordInput[]): Promise<PutResult> => {
      const at = Date.now();
      for (const input of inputs) {
        const props = decodeProperties(input.properties);
        if (input.topic === 'rmq_sys_wheel_timer') {
          // A rolled message: the store would append it and dispatch it to the timer queue again.
          rolls += 1;
          const position = { physicalOffset: nextPhysical, queueOffset: entries.length, storeTimestamp: at };
          append(encodeRecord(input, position), Number(props.get('TIMER_OUT_MS')));
          continue;
        }
        expect(input.topic).toBe('Real');
        expect(props.has('TIMER_OUT_MS')).toBe(false);
        const body = Buffer.from(input.body).toString();
        deliveries.push({ body, at, deliverAt: Number(body.split('@')[1]) });
      }
      return Promise.resolve({
        status: 'PUT_OK',
        records: inputs.map((_, i) => ({
          physicalOffset: 1e9 + i,
          queueOffset: 0,
          size: 1,
          storeTimestamp: at,
        })),
      });
    },
  };
}

async function service(fake: ReturnType<typeof fakeStore>, rollWindowMs = 60_000): Promise<TimerService> {
  return new TimerService({
    store: fake.store,
    put: fake.put,
    storeHost: { address: '127.0.0.1', port: 10911 },
    slots: await TimerSlots.open(join(dir, 'slots'), 50),
    checkpoint: await TimerCheckpoint.load(join(dir, 'timerCheckpoint.json')),
    tickMs: 20,
    flushIntervalMs: 60_000,
    rollWindowMs,
    scheduler: asyncScheduler,
    logger: recordingLogger(),
  });
}

const until = async (what: string, check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const enqueueOffsetOnDisk = async (): Promise<number> =>
  (JSON.parse(await readFile(join(dir, 'timerCheckpoint.json'), 'utf8')) as { enqueueOffset: number })
    .enqueueOffset;

describe('TimerService', () => {
  it('re-puts every timed message once, none before its time, removes spent slots and writes its offset at stop', async () => {
    const fake = fakeStore();
    const now = Date.now();
    const times = [now + 40, now + 250, now + 90, now + 400, now + 41, now - 10];
    for (const [i, at] of times.entries()) fake.add(`m${i}@${at}`, at);
    const timers = await service(fake);
    const running = timers.loop$.subscribe();
    await until('every delivery', () => fake.deliveries.length >= times.length);
    running.unsubscribe();
    await timers.stop();
    expect(fake.deliveries.map((d) => d.body).sort()).toEqual(times.map((at, i) => `m${i}@${at}`).sort());
    for (const d of fake.deliveries) expect(d.at).toBeGreaterThanOrEqual(d.deliverAt);
    expect(await readdir(join(dir, 'slots'))).toEqual([]);
    expect(await enqueueOffsetOnDisk()).toBe(times.length);
  });

  it('goes on after a stop from its offset and the slot files left, without taking anything twice', async () => {
    const fake = fakeStore();
    const at = Date.now() + 600;
    for (let i = 0; i < 20; i++) fake.add(`m${i}@${at + i * 10}`, at + i * 10);
    const first = await service(fake);
    let running = first.loop$.subscribe();
    await until('the slot files', () => readdirSync(join(dir, 'slots')).length > 0);
    running.unsubscribe();
    await first.stop();
    expect(fake.deliveries).toEqual([]);
    expect((await readdir(join(dir, 'slots'))).length).toBeGreaterThan(0);
    expect(await enqueueOffsetOnDisk()).toBe(20);

    const second = await service(fake);
    running = second.loop$.subscribe();
    await until('every delivery', () => fake.deliveries.length >= 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    running.unsubscribe();
    await second.stop();
    expect(fake.deliveries).toHaveLength(20);
    expect(new Set(fake.deliveries.map((d) => d.body)).size).toBe(20);
    for (const d of fake.deliveries) expect(d.at).toBeGreaterThanOrEqual(d.deliverAt);
  });

  it('files a message further ahead than the roll window early and writes it to the timer topic again until due', async () => {
    const fake = fakeStore();
    const at = Date.now() + 500;
    fake.add(`far@${at}`, at);
    const timers = await service(fake, 120);
    const running = timers.loop$.subscribe();
    await until('the delivery', () => fake.deliveries.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    running.unsubscribe();
    await timers.stop();
    expect(fake.rolls()).toBeGreaterThanOrEqual(2);
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.deliveries[0]!.at).toBeGreaterThanOrEqual(at);
  });
});
