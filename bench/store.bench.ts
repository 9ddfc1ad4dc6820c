import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_BROKER_CONFIG, type FlushDiskType } from '../src/broker/config.js';
import type * as StoreModule from '../src/broker/store/message-store.js';
import { silentLogger } from '../src/logger.js';
import type { MessageRecordInput } from '../src/protocol/message.js';
import { messageOf } from '../test/fixtures/store/store-fixture.js';
import type { BenchReport } from './report.js';

/**
 * The message store in this process on a temp dir of the machine's disk: puts/s and MB/s of 1 KiB messages
 * from 64 concurrent writers under ASYNC_FLUSH and SYNC_FLUSH (group commit), then read MB/s of pulls of
 * 32 messages. Compare with `dd if=/dev/zero of=X bs=1M count=1024 conv=fdatasync`.
 */
const WRITERS = 64;

/** The built store, as `node dist/broker` runs it (tsx's transform adds per-closure helpers to hot paths). */
const { MessageStore } = (await import(
  pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '../dist/broker/store/message-store.js')).href
)) as typeof StoreModule;
type MessageStore = StoreModule.MessageStore;
const QUEUES = 8;
const BODY = Buffer.alloc(1024, 0x61);

/** The tests' message shape (UNIQ_KEY, KEYS, TAGS) with a fixed 1 KiB body. */
const message = (i: number): MessageRecordInput => ({ ...messageOf(i, 'BenchTopic', QUEUES), body: BODY });

async function openStore(dir: string, flushDiskType: FlushDiskType): Promise<MessageStore> {
  return MessageStore.open(
    {
      ...DEFAULT_BROKER_CONFIG,
      storePathRootDir: dir,
      storePathCommitLog: undefined,
      mappedFileSizeCommitLog: 256 * 1024 * 1024,
      flushDiskType,
    },
    { logger: silentLogger, diskUsage: () => Promise.resolve(0.1) },
  );
}

/** Messages are built before the clock starts (the producer's work is not the store's), a pool reused. */
const inputs = Array.from({ length: 8192 }, (_, i) => message(i));

async function putAll(store: MessageStore, count: number): Promise<{ seconds: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < count) {
        const result = await store.put(inputs[next++ % inputs.length]!);
        bytes += result.records[0]!.size;
        // As the broker does between socket reads: the commit, flush and reput loops get their turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

async function readAll(store: MessageStore): Promise<{ seconds: number; bytes: number; messages: number }> {
  let bytes = 0;
  let messages = 0;
  const start = process.hrtime.bigint();
  for (let queueId = 0; queueId < QUEUES; queueId++) {
    let offset = 0;
    for (;;) {
      const result = await store.getMessage('BenchTopic', queueId, {
        offset,
        maxCount: 32,
        maxBytes: 1024 * 1024,
      });
      if (result.status !== 'FOUND') break;
      bytes += result.totalBytes;
      messages += result.messages.length;
      offset = result.nextBeginOffset;
    }
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes, messages };
}

export async function run(report: BenchReport): Promise<void> {
  for (const [mode, count] of [
    ['ASYNC_FLUSH', 400_000],
    ['SYNC_FLUSH', 200_000],
  ] as const) {
    const dir = await mkdtemp(join(tmpdir(), 'rxrocket-bench-store-'));
    try {
      const store = await openStore(dir, mode);
      await putAll(store, 20_000);
      report.progress(`${mode}: ${count} puts`);
      const put = await putAll(store, count);
      report.add({
        name: `put 1KiB ${mode} ${WRITERS} writers`,
        figures: { 'msgs/s': count / put.seconds, 'MB/s': put.bytes / put.seconds / 1e6 },
      });
      if (mode === 'ASYNC_FLUSH') {
        while (store.dispatchBehindBytes > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        const read = await readAll(store);
        report.add({
          name: 'getMessage 32 x 1KiB (page cache)',
          figures: { 'msgs/s': read.messages / read.seconds, 'MB/s': read.bytes / read.seconds / 1e6 },
        });
      }
      await store.shutdown();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
