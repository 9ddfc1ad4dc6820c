import { describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../src/broker/config.js';
import { MessageStore } from '../../src/broker/store/message-store.js';
import { silentLogger } from '../../src/logger.js';
import { decodeRecord } from '../../src/protocol/message-codec.js';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { createRoutedTopic, waitFor } from '../fixtures/client/push-fixture.js';
import { auditConsumeQueues } from '../fixtures/reliability/consume-queue-audit.js';
import { CrashLoad, type Ledger, createLedger, idOf } from '../fixtures/reliability/crash-load.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { bySize } from './mode.js';

const ROUNDS = bySize(10, 50);
const TOPIC = 'CrashLoad';
const QUEUES = 8;
const GROUP = 'cg-crash-load';
/** Small segments: CommitLog and ConsumeQueue files roll several times over the rounds. */
const COMMIT_LOG_FILE_SIZE = 1024 * 1024;
const CONSUME_QUEUE_FILE_SIZE = 20 * 256;
const BROKER_ARGS = [
  ...['--flush', 'SYNC_FLUSH'],
  ...['--set', `mappedFileSizeCommitLog=${COMMIT_LOG_FILE_SIZE}`],
  ...['--set', `mappedFileSizeConsumeQueue=${CONSUME_QUEUE_FILE_SIZE}`],
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

/** After the clean stop: the store, recovered in-process, holds every acknowledged id and a sound queue. */
async function storedIds(): Promise<Set<string>> {
  const store = await MessageStore.open(
    {
      ...DEFAULT_BROKER_CONFIG,
      storePathRootDir: storeDir,
      storePathCommitLog: undefined,
      mappedFileSizeCommitLog: COMMIT_LOG_FILE_SIZE,
      mappedFileSizeConsumeQueue: CONSUME_QUEUE_FILE_SIZE,
      flushDiskType: 'SYNC_FLUSH',
    },
    { logger: silentLogger },
  );
  try {
    const ids = new Set<string>();
    for (let queueId = 0; queueId < QUEUES; queueId++) {
      const max = store.maxOffsetInQueue(TOPIC, queueId);
      for (let offset = store.minOffsetInQueue(TOPIC, queueId); offset < max;) {
        const pulled = await store.getMessage(TOPIC, queueId, { offset, maxCount: 64, maxBytes: 8 << 20 });
        expect(pulled.status, `${TOPIC}/${queueId} at ${offset} of ${max}`).toBe('FOUND');
        for (const bytes of pulled.messages) {
          const message = decodeRecord(bytes);
          expect(message.queueOffset).toBe(offset++);
          expect(message.commitLogOffset + message.storeSize).toBeLessThanOrEqual(store.maxPhysicalOffset);
          ids.add(idOf(message.body));
        }
      }
    }
    return ids;
  } finally {
    await store.shutdown();
  }
}

describe('reliability: SIGKILL of a SYNC_FLUSH broker under concurrent producers and consumers', () => {
  it(
    `keeps every acknowledged message deliverable to the group over ${ROUNDS} kills`,
    { timeout: bySize(120_000, 900_000) },
    async () => {
      const ledger = createLedger();
      let queueEntriesAudited = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const broker = await startBroker();
        const load = loadFor(broker, round, ledger);
        const before = { delivered: ledger.delivered.size, deliveries: ledger.deliveries };
        try {
          load.startConsumers();
          load.startProducers();
          const killAt = randomInt(50, 600);
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
        const audit = await auditConsumeQueues(storeDir, COMMIT_LOG_FILE_SIZE);
        expect(audit.violations, `round ${round}: ${audit.violationCount} bad ConsumeQueue entries`).toEqual(
          [],
        );
        queueEntriesAudited = audit.entries;
        const deliveries = ledger.deliveries - before.deliveries;
        const fresh = ledger.delivered.size - before.delivered;
        console.log(
          `round ${round}: acked ${load.ackedThisRound} (failed ${load.failedSends}, other status ` +
            `${load.otherStatus}), delivered ${deliveries} (${fresh} new, ${deliveries - fresh} duplicates), ` +
            `${audit.entries} ConsumeQueue entries all backed by the CommitLog`,
        );
        expect(load.ackedThisRound).toBeGreaterThan(0);
      }

      const broker = await startBroker();
      const drain = loadFor(broker, ROUNDS, ledger);
      try {
        drain.startConsumers();
        await waitFor(
          `every acknowledged message delivered (${ledger.acked.size} acked)`,
          () => [...ledger.acked].every((id) => ledger.delivered.has(id)),
          60_000,
        ).catch(() => undefined);
      } finally {
        await drain.shutdown();
        expect(await broker.stop()).toBe(0);
      }
      const missing = [...ledger.acked].filter((id) => !ledger.delivered.has(id));
      const stored = await storedIds();
      const lost = [...ledger.acked].filter((id) => !stored.has(id));
      const audit = await auditConsumeQueues(storeDir, COMMIT_LOG_FILE_SIZE);
      console.log(
        `after ${ROUNDS} kills: ${ledger.acked.size} acked, ${ledger.delivered.size} distinct delivered ` +
          `(${ledger.deliveries} deliveries, ${ledger.deliveries - ledger.delivered.size} duplicates), ` +
          `${stored.size} stored, ${missing.length} acked but undelivered, ${lost.length} acked but not ` +
          `stored; ${audit.entries} ConsumeQueue entries audited (${queueEntriesAudited} after the last kill)`,
      );
      expect(audit.violations).toEqual([]);
      expect(lost.slice(0, 20), `${lost.length} acknowledged messages are not in the store`).toEqual([]);
      expect(missing.slice(0, 20), `${missing.length} acknowledged messages never delivered`).toEqual([]);
    },
  );
});
