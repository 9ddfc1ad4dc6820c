import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PushConsumer, createPushConsumer } from '../../../src/client/push-consumer.js';
import { type BrokerProcess } from '../../../src/testing/broker-process.js';
import { bodyOf, sendNumbered, tally, waitFor } from '../../fixtures/client/push-fixture.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { usePushHarness } from '../../fixtures/client/push-harness.js';

const TOPIC = 'Broadcast';
const GROUP = 'cg-broadcast';

let dir = '';
useTempDir('rxrocket-broadcast-', (path) => (dir = path));

const harness = usePushHarness();
const { consumers, subscriptions } = harness;

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
    const b = await harness.start({ topic: TOPIC, queues: 4, producerGroup: 'pg-broadcast' });
    const producer = harness.producer;

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
