import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../../src/broker/store/message-store.js';
import { silentLogger } from '../../src/logger.js';
import { decodeRecord } from '../../src/protocol/message-codec.js';
import { bodyOf, messageOf, smallStoreConfig } from '../fixtures/store/store-fixture.js';

interface Acked {
  readonly seq: number;
  readonly physicalOffset: number;
  readonly queueId: number;
  readonly queueOffset: number;
}

const ROUNDS = 6;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-crash-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the writer child until SIGKILL after `killAfterMs` of putting; returns what it acknowledged. */
async function runAndKill(firstSeq: number, killAfterMs: number): Promise<Acked[]> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/store/crash-writer.ts', dir, String(firstSeq)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    text += chunk;
    if (text.startsWith('ready\n') && !killScheduled) {
      killScheduled = true;
      setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  let killScheduled = false;
  const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  expect(exit).toBe('SIGKILL');
  const lines = text.split('\n').slice(1, -1);
  return lines.map((line) => {
    const [seq, physicalOffset, queueId, queueOffset] = line.split(' ').map(Number);
    return { seq: seq!, physicalOffset: physicalOffset!, queueId: queueId!, queueOffset: queueOffset! };
  });
}

describe('SIGKILL of a SYNC_FLUSH store', () => {
  it(
    `keeps every acknowledged message over ${ROUNDS} kills at random moments`,
    { timeout: 300_000 },
    async () => {
      const acked: Acked[] = [];
      let firstSeq = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const fresh = await runAndKill(firstSeq, 150 + Math.floor(Math.random() * 600));
        expect(fresh.length).toBeGreaterThan(0);
        acked.push(...fresh);
        firstSeq = Math.max(...acked.map((a) => a.seq)) + 1000;

        const store = await MessageStore.open(smallStoreConfig(dir, 'SYNC_FLUSH'), { logger: silentLogger });
        try {
          for (const a of acked) {
            const record = await store.readRecord(a.physicalOffset);
            expect(record, `seq ${a.seq} at ${a.physicalOffset}`).toBeDefined();
            expect(Buffer.from(decodeRecord(record!).body).equals(bodyOf(a.seq))).toBe(true);
            const pulled = await store.getMessage('CrashTopic', a.queueId, {
              offset: a.queueOffset,
              maxCount: 1,
              maxBytes: 1 << 20,
            });
            expect(pulled.status).toBe('FOUND');
            expect(pulled.messages[0]!.equals(record!)).toBe(true);
          }
          for (let queueId = 0; queueId < 4; queueId++) {
            const max = store.maxOffsetInQueue('CrashTopic', queueId);
            let offset = store.minOffsetInQueue('CrashTopic', queueId);
            while (offset < max) {
              const pulled = await store.getMessage('CrashTopic', queueId, {
                offset,
                maxCount: 32,
                maxBytes: 1 << 20,
              });
              expect(pulled.status).toBe('FOUND');
              for (const bytes of pulled.messages) {
                const message = decodeRecord(bytes);
                expect(message.commitLogOffset + message.storeSize).toBeLessThanOrEqual(
                  store.maxPhysicalOffset,
                );
                expect(message.queueOffset).toBe(offset++);
              }
            }
          }
          const seq = firstSeq - 1;
          const input = messageOf(seq);
          const end = store.maxPhysicalOffset;
          const expectedQueueOffset = store.maxOffsetInQueue('CrashTopic', input.queueId);
          const result = await store.put(input);
          const record = result.records[0]!;
          const segment = 64 * 1024;
          expect([end, end - (end % segment) + segment]).toContain(record.physicalOffset);
          expect(record.queueOffset).toBe(expectedQueueOffset);
          acked.push({
            seq,
            physicalOffset: record.physicalOffset,
            queueId: input.queueId,
            queueOffset: record.queueOffset,
          });
        } finally {
          await store.shutdown();
        }
      }
    },
  );
});
