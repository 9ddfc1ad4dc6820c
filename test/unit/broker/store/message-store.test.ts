import { open as openFile, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetToFileName } from '../../../../src/broker/store/mapped-file.js';
import { MessageStore } from '../../../../src/broker/store/message-store.js';
import { StoreLockedError, StoreUnavailableError } from '../../../../src/broker/store/store-errors.js';
import { silentLogger } from '../../../../src/logger.js';
import { decodeRecord } from '../../../../src/protocol/message-codec.js';
import { MessageIllegalError } from '../../../../src/protocol/message-illegal-error.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { bodyOf, messageOf, smallStoreConfig, uniqKeyOf } from '../../../fixtures/store/store-fixture.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-store-', (path) => {
  dir = path;
});

const open = (logger = silentLogger, config = smallStoreConfig(dir)) => MessageStore.open(config, { logger });

async function untilDispatched(store: MessageStore): Promise<void> {
  while (store.dispatchBehindBytes > 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('MessageStore', () => {
  it('puts across topics and queues with segment rolls, reads back by queue offset, physical offset and key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ topic: fc.constantFrom('A', 'B', 'C'), queues: fc.integer({ min: 1, max: 3 }) }),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        fc.boolean(),
        async (puts, reopen) => {
          const runDir = await mkdtemp(join(dir, 'run-'));
          let store = await MessageStore.open(smallStoreConfig(runDir), { logger: silentLogger });
          const stored: {
            seq: number;
            topic: string;
            queueId: number;
            queueOffset: number;
            physicalOffset: number;
          }[] = [];
          try {
            const results = await Promise.all(
              puts.map(async ({ topic, queues }, seq) => {
                const input = messageOf(seq, topic, queues);
                const result = await store.put(input);
                return { seq, topic, queueId: input.queueId, ...result.records[0]! };
              }),
            );
            stored.push(...results);
            if (reopen) {
              await store.shutdown();
              store = await MessageStore.open(smallStoreConfig(runDir), { logger: silentLogger });
            }
            await untilDispatched(store);
            const nextOffsets = new Map<string, number>();
            for (const s of stored) {
              const key = `${s.topic}-${s.queueId}`;
              expect(s.queueOffset).toBe(nextOffsets.get(key) ?? 0);
              nextOffsets.set(key, s.queueOffset + 1);
              const record = (await store.readRecord(s.physicalOffset))!;
              expect(Buffer.from(decodeRecord(record).body).equals(bodyOf(s.seq))).toBe(true);
              const pulled = await store.getMessage(s.topic, s.queueId, {
                offset: s.queueOffset,
                maxCount: 1,
                maxBytes: 1 << 20,
              });
              expect(pulled.messages[0]!.equals(record)).toBe(true);
              const byKey = await store.queryMessage(s.topic, uniqKeyOf(s.seq), 32, 0, Date.now() + 1000);
              expect(byKey.records.map((r) => decodeRecord(r).commitLogOffset)).toEqual([s.physicalOffset]);
            }
          } finally {
            await store.shutdown();
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);

  it('answers RocketMQ statuses at the edges of a queue', async () => {
    const store = await open();
    try {
      expect((await store.getMessage('T', 0, { offset: 0, maxCount: 1, maxBytes: 1024 })).status).toBe(
        'NO_MATCHED_LOGIC_QUEUE',
      );
      for (let i = 0; i < 3; i++) await store.put(messageOf(i * 4, 'T'));
      await untilDispatched(store);
      const at = (offset: number) => store.getMessage('T', 0, { offset, maxCount: 32, maxBytes: 1 << 20 });
      expect(await at(0)).toMatchObject({ status: 'FOUND', nextBeginOffset: 3, minOffset: 0, maxOffset: 3 });
      expect(await at(3)).toMatchObject({ status: 'OFFSET_OVERFLOW_ONE', nextBeginOffset: 3 });
      expect(await at(9)).toMatchObject({ status: 'OFFSET_OVERFLOW_BADLY', nextBeginOffset: 0 });
      const tagged = await store.getMessage('T', 0, {
        offset: 0,
        maxCount: 32,
        maxBytes: 1 << 20,
        filter: { matchesTagsCode: () => false },
      });
      expect(tagged).toMatchObject({ status: 'NO_MATCHED_MESSAGE', nextBeginOffset: 3 });
      expect(await store.offsetInQueueByTime('T', 0, 0)).toBe(0);
      expect(await store.offsetInQueueByTime('T', 0, Date.now() + 60_000)).toBe(3);
    } finally {
      await store.shutdown();
    }
  });

  it('refuses oversized messages with MESSAGE_ILLEGAL and keeps serving', async () => {
    const store = await open(silentLogger, { ...smallStoreConfig(dir), maxMessageSize: 1024 });
    try {
      await expect(store.put({ ...messageOf(1), body: Buffer.alloc(2000) })).rejects.toBeInstanceOf(
        MessageIllegalError,
      );
      expect((await store.put({ ...messageOf(2), body: Buffer.alloc(10) })).status).toBe('PUT_OK');
    } finally {
      await store.shutdown();
    }
  });

  it('keeps a second store off the directory while the first is open', async () => {
    const store = await open();
    await writeFile(join(dir, 'lock'), `${process.ppid}\n`);
    await expect(open()).rejects.toBeInstanceOf(StoreLockedError);
    await store.shutdown();
  });

  it('refuses puts while the disk is over 90% full, keeps serving reads, and takes puts again when space returns', async () => {
    let usage = 0.5;
    const store = await MessageStore.open(
      { ...smallStoreConfig(dir), cleanResourceInterval: 20 },
      { logger: silentLogger, diskUsage: () => Promise.resolve(usage) },
    );
    try {
      const stored = (await store.put(messageOf(0, 'T', 1))).records[0]!;
      usage = 0.95;
      await expect
        .poll(
          () =>
            store.put(messageOf(1, 'T', 1)).then(
              () => 'stored',
              (error: unknown) => error,
            ),
          { timeout: 3000 },
        )
        .toBeInstanceOf(StoreUnavailableError);
      expect(await store.readRecord(stored.physicalOffset)).toBeDefined();
      usage = 0.5;
      await expect
        .poll(
          () =>
            store.put(messageOf(2, 'T', 1)).then(
              () => 'stored',
              () => 'refused',
            ),
          { timeout: 3000 },
        )
        .toBe('stored');
    } finally {
      await store.shutdown();
    }
  });

  it('finds a record by physical offset as soon as its put is acknowledged', async () => {
    const store = await open();
    try {
      const [record] = (await store.put(messageOf(7, 'T', 1))).records;
      const bytes = await store.readRecord(record!.physicalOffset);
      expect(Buffer.from(decodeRecord(bytes!).body).equals(bodyOf(7))).toBe(true);
    } finally {
      await store.shutdown();
    }
  });

  it('deletes a topic whose last records are still waiting for dispatch, and it stays deleted after a restart', async () => {
    let store = await open();
    await store.put(messageOf(0, 'Keep', 1));
    for (let seq = 1; seq <= 20; seq++) void store.put(messageOf(seq, 'Gone', 2));
    await store.deleteTopic('Gone');
    await untilDispatched(store);
    expect([store.maxOffsetInQueue('Gone', 0), store.maxOffsetInQueue('Gone', 1)]).toEqual([0, 0]);
    await store.shutdown();
    store = await open();
    try {
      await untilDispatched(store);
      expect([store.maxOffsetInQueue('Gone', 0), store.maxOffsetInQueue('Gone', 1)]).toEqual([0, 0]);
      expect(store.maxOffsetInQueue('Keep', 0)).toBe(1);
    } finally {
      await store.shutdown();
    }
  });

  it('refuses puts once shut down', async () => {
    const store = await open();
    await store.shutdown();
    await expect(store.put(messageOf(1))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('truncates a tail overwritten with random bytes after an unclean stop, logs it, and appends from there', async () => {
    let store = await open();
    const results = [];
    for (let seq = 0; seq < 40; seq++) results.push((await store.put(messageOf(seq, 'T', 1))).records[0]!);
    await store.shutdown();
    const victim = results.at(-3)!;
    const segment = smallStoreConfig(dir).mappedFileSizeCommitLog;
    const from = victim.physicalOffset - (victim.physicalOffset % segment);
    const file = await openFile(join(dir, 'commitlog', offsetToFileName(from)), 'r+');
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 7) & 0xff));
    await file.write(garbage, 0, garbage.length, (victim.physicalOffset % segment) + 16);
    await file.close();
    await writeFile(join(dir, 'abort'), '');

    const logger = recordingLogger();
    store = await open(logger);
    try {
      expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('truncating'))).toBe(true);
      expect(store.maxPhysicalOffset).toBe(victim.physicalOffset);
      expect(store.maxOffsetInQueue('T', 0)).toBe(37);
      const next = await store.put(messageOf(100, 'T', 1));
      expect(next.records[0]).toMatchObject({ physicalOffset: victim.physicalOffset, queueOffset: 37 });
      for (const r of results.slice(0, 37)) expect(await store.readRecord(r.physicalOffset)).toBeDefined();
    } finally {
      await store.shutdown();
    }
  });
});
