import { describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { createRoutedTopic, waitFor } from '../fixtures/client/push-fixture.js';
import { auditConsumeQueues } from '../fixtures/reliability/consume-queue-audit.js';
import { CrashLoad, type Ledger, createLedger, idOf } from '../fixtures/reliability/crash-load.js';
import {
  committedOffsets,
  readRecoveredCopy,
  readRecoveredTopic,
} from '../fixtures/reliability/recovered-store.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bySize } from './mode.js';

const ROUNDS = bySize(10, 50);
const TOPIC = 'CrashLoad';
const QUEUES = 8;
const GROUP = 'cg-crash-load';
/** Small segments: CommitLog and ConsumeQueue files roll several times over the rounds. */
const COMMIT_LOG_FILE_SIZE = 1024 * 1024;
const CONSUME_QUEUE_FILE_SIZE = 20 * 256;
/** And index files of about 85 KiB (the default is 420 MB), rolling every ~2000 messages (2 keys each). */
const INDEX = { maxHashSlotNum: 1024, maxIndexNum: 4096 };
const BROKER_ARGS = [
  ...['--flush', 'SYNC_FLUSH'],
  ...['--set', `mappedFileSizeCommitLog=${COMMIT_LOG_FILE_SIZE}`],
  ...['--set', `mappedFileSizeConsumeQueue=${CONSUME_QUEUE_FILE_SIZE}`],
  ...Object.entries(INDEX).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  // The group's offsets reach consumerOffset.json this often, so a kill loses at most this much progress.
  ...['--set', 'flushConsumerOffsetInterval=500'],
];

let storeDir = '';
useTempDir('rxrocket-crash-load-', (dir) => {
  storeDir = dir;
});

const randomInt = (from: number, to: number): number => from + Math.floor(Math.random() * (to - from + 1));

async function startBroker(): Promise<BrokerProcess> {
  const broker = await startBrokerProcess({ storeDir, args: BROKER_ARGS });
  await createRoutedTopic(broker.brokerAddress, broker.namesrvAddress, TOPIC, QUEUES);
  return broker;
}

function loadFor(broker: BrokerProcess, round: number, ledger: Ledger): CrashLoad {
  return new CrashLoad(
    {
      namesrv: broker.namesrvAddress,
      topic: TOPIC,
      consumerGroup: GROUP,
      round,
      producers: 4,
      window: 8,
      consumers: 2,
    },
    ledger,
  );
}

const recovered = {
  topic: TOPIC,
  queues: QUEUES,
  idOf,
  config: {
    mappedFileSizeCommitLog: COMMIT_LOG_FILE_SIZE,
    mappedFileSizeConsumeQueue: CONSUME_QUEUE_FILE_SIZE,
    ...INDEX,
    flushDiskType: 'SYNC_FLUSH',
  },
} as const;

const notIn = (ids: ReadonlySet<string>, wanted: Iterable<string>): string[] =>
  [...wanted].filter((id) => !ids.has(id));

describe('reliability: SIGKILL of a SYNC_FLUSH broker under concurrent producers and consumers', () => {
  it(
    `keeps every acknowledged message deliverable to the group over ${ROUNDS} kills`,
    // About 30-60 s on this 2-core machine; the limit leaves room for the other integration files beside it.
    { timeout: bySize(240_000, 1_800_000) },
    async () => {
      const ledger = createLedger();
      for (let round = 0; round < ROUNDS; round++) {
        const broker = await startBroker();
        const load = loadFor(broker, round, ledger);
        const before = { delivered: ledger.delivered.size, deliveries: ledger.deliveries };
        try {
          load.startConsumers();
          load.startProducers();
          const killAt = randomInt(50, 400);
          await waitFor(
            `${killAt} acknowledged sends in round ${round}`,
            () => load.ackedThisRound >= killAt,
          );
          await new Promise((resolve) => setTimeout(resolve, randomInt(0, 100)));
          await broker.kill();
          await load.stopProducers();
        } finally {
          await load.shutdown();
          await broker.dispose();
        }
        // The files as the kill left them, then as recovery makes them (on a copy: the broker recovers next).
        const audit = await auditConsumeQueues(storeDir, COMMIT_LOG_FILE_SIZE);
        const store = await readRecoveredCopy(storeDir, recovered);
        const lost = notIn(store.ids, ledger.acked);
        const committed = await committedOffsets(storeDir, TOPIC, GROUP);
        const beyond = committed.flatMap((offset, queueId) =>
          offset > (store.maxOffsets[queueId] ?? 0)
            ? [`queue ${queueId}: ${offset} > ${store.maxOffsets[queueId]}`]
            : [],
        );
        const deliveries = ledger.deliveries - before.deliveries;
        const fresh = ledger.delivered.size - before.delivered;
        console.log(
          `round ${round}: acked ${load.ackedThisRound} (${load.failedSends} sends failed at the kill, ` +
            `${load.otherStatus} not SEND_OK), delivered ${deliveries} (${fresh} new, ` +
            `${deliveries - fresh} duplicates); on disk ${audit.entries} ConsumeQueue entries, all backed; ` +
            `recovered ${store.ids.size} messages, CommitLog end ${store.maxPhysicalOffset}; the group's ` +
            `committed offsets add up to ${committed.reduce((sum, offset) => sum + offset, 0)}`,
        );
        expect(audit.violations, `round ${round}: ${audit.violationCount} bad ConsumeQueue entries`).toEqual(
          [],
        );
        expect(store.problems, `round ${round}: recovered ConsumeQueue`).toEqual([]);
        expect(
          lost.slice(0, 20),
          `round ${round}: ${lost.length} acknowledged messages not recovered`,
        ).toEqual([]);
        // An offset past the recovered queue end would make the group skip whatever is stored there next.
        expect(beyond, `round ${round}: committed offsets past the recovered queues`).toEqual([]);
        expect(load.ackedThisRound).toBeGreaterThan(0);
      }

      const broker = await startBroker();
      const drain = loadFor(broker, ROUNDS, ledger);
      try {
        drain.startConsumers();
        await waitFor(
          `every acknowledged message delivered (${ledger.acked.size} acked)`,
          () => notIn(ledger.delivered, ledger.acked).length === 0,
          60_000,
        ).catch(() => undefined);
      } finally {
        await drain.shutdown();
        expect(await broker.stop()).toBe(0);
      }
      const missing = notIn(ledger.delivered, ledger.acked);
      const audit = await auditConsumeQueues(storeDir, COMMIT_LOG_FILE_SIZE);
      const store = await readRecoveredTopic(storeDir, recovered);
      console.log(
        `after ${ROUNDS} kills: ${ledger.acked.size} acked, ${ledger.delivered.size} distinct delivered ` +
          `(${ledger.deliveries} deliveries, ${ledger.deliveries - ledger.delivered.size} duplicates), ` +
          `${store.ids.size} stored, ${missing.length} acked but never delivered; ` +
          `${audit.entries} ConsumeQueue entries on disk, all backed`,
      );
      expect(audit.violations).toEqual([]);
      expect(store.problems).toEqual([]);
      expect(notIn(store.ids, ledger.acked)).toEqual([]);
      expect(missing.slice(0, 20), `${missing.length} acknowledged messages never delivered`).toEqual([]);
    },
  );
});
