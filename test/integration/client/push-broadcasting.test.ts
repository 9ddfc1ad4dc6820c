import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { type PushConsumer, createPushConsumer } from '../../../src/client/push-consumer.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import {
  bodyOf,
  createRoutedTopic,
  sendNumbered,
  tally,
  waitFor,
} from '../../fixtures/client/push-fixture.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const TOPIC = 'Broadcast';
const GROUP = 'cg-broadcast';

let dir = '';
useTempDir('rxrocket-broadcast-', (path) => (dir = path));

let broker: BrokerProcess | undefined;
let producer: Producer | undefined;
const consumers: PushConsumer[] = [];
const subscriptions: Subscription[] = [];

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(consumers.splice(0).map((c) => c.shutdown()));
  await producer?.shutdown();
  await broker?.dispose();
  producer = undefined;
  broker = undefined;
});

function member(b: BrokerProcess, name: string, seen: string[]): PushConsumer {
  const c = createPushConsumer({
    group: GROUP,
    namesrv: b.namesrvAddress,
    instanceName: name,
    model: 'BROADCASTING',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    offsetStoreDir: dir,
  });
  consumers.push(c);
  subscriptions.push(
    c.messages$(TOPIC).subscribe((m) => {
      seen.push(bodyOf(m));
      m.ack();
    }),
  );
  return c;
}

describe('push consumer: broadcasting', () => {
  it('two members each get every message, and their local offsets survive a restart', async () => {
    broker = await startBrokerProcess();
    const b = broker;
    await createRoutedTopic(b.brokerAddress, b.namesrvAddress, TOPIC, 4);
    producer = createProducer({ group: 'pg-broadcast', namesrv: b.namesrvAddress });

    const first: string[][] = [[], []];
    const cs = first.map((seen, i) => member(b, `bc-${i}`, seen));
    await waitFor('both members to own all 4 queues', () =>
      cs.every((c) => c.assignment(TOPIC).length === 4),
    );
    const before = await sendNumbered(producer, TOPIC, 100, 'before-');
    await waitFor('both members to get all 100', () =>
      first.every((seen) => tally(seen).distinct.size === before.length),
    );
    for (const seen of first) {
      expect(new Set(seen)).toEqual(new Set(before));
      expect(tally(seen).duplicates).toBe(0);
    }

    for (const s of subscriptions.splice(0)) s.unsubscribe();
    await Promise.all(consumers.splice(0).map((c) => c.shutdown()));
    for (const c of cs)
      expect(existsSync(join(dir, c.clientId, GROUP, 'offsets.json')), `${c.clientId}'s offsets file`).toBe(
        true,
      );

    const after = await sendNumbered(producer, TOPIC, 50, 'after-');
    const second: string[][] = [[], []];
    second.forEach((seen, i) => member(b, `bc-${i}`, seen));
    await waitFor('both restarted members to get the 50 new ones', () =>
      second.every((seen) => after.every((body) => seen.includes(body))),
    );
    // each queue is read in order, so a member that lost its offsets would have re-read the old ones first
    for (const seen of second) expect(seen.sort()).toEqual([...after].sort());
  });
});
