import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageStore } from '../../../../src/broker/store/message-store.js';
import { StoreUnavailableError } from '../../../../src/broker/store/store-errors.js';
import { silentLogger } from '../../../../src/logger.js';
import { decodeRecord } from '../../../../src/protocol/message-codec.js';
import { messageOf, smallStoreConfig } from '../../../fixtures/store/store-fixture.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-replica-', (path) => {
  dir = path;
});

const BATCH = 4096;

/** What a slave does with the master's stream: append every committed byte from its own end on, in batches. */
async function replicate(master: MessageStore, slave: MessageStore): Promise<void> {
  for (;;) {
    const from = slave.wrotePhysicalOffset;
    const bytes = await master.readCommitLog(from, BATCH);
    if (bytes.length === 0) return;
    expect(await slave.appendReplicated(from, bytes)).toBe(from + bytes.length);
  }
}

const segments = async (root: string): Promise<Record<string, string>> => {
  const commitLog = join(root, 'commitlog');
  const out: Record<string, string> = {};
  for (const name of (await readdir(commitLog)).sort())
    out[name] = (await readFile(join(commitLog, name))).toString('base64');
  return out;
};

describe('MessageStore: replicated appends (a slave)', () => {
  it('takes the master bytes verbatim across segment rolls, builds its queues from them and refuses puts', async () => {
    const masterDir = join(dir, 'master');
    const slaveDir = join(dir, 'slave');
    const master = await MessageStore.open(smallStoreConfig(masterDir), { logger: silentLogger });
    const slave = await MessageStore.open(smallStoreConfig(slaveDir), {
      logger: silentLogger,
      refuseWrites: 'slave mode',
    });
    try {
      for (let seq = 0; seq < 300; seq++) await master.put(messageOf(seq, 'Replicated', 2));
      while (master.maxPhysicalOffset < master.wrotePhysicalOffset)
        await new Promise((resolve) => setTimeout(resolve, 2));
      await replicate(master, slave);
      expect(slave.maxPhysicalOffset).toBe(master.maxPhysicalOffset);

      while (slave.dispatchBehindBytes > 0) await new Promise((resolve) => setTimeout(resolve, 2));
      expect(slave.maxOffsetInQueue('Replicated', 0)).toBe(150);
      const read = await slave.getMessage('Replicated', 1, { offset: 149, maxCount: 1, maxBytes: 1 << 20 });
      expect(read.messages.map((m) => Buffer.from(decodeRecord(m).body))).toEqual([messageOf(299).body]);

      await expect(slave.put(messageOf(1, 'Replicated'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(slave.appendReplicated(0, Buffer.alloc(8))).rejects.toThrow(/log ends at/);
    } finally {
      await master.shutdown();
      await slave.shutdown();
    }
    const masterSegments = await segments(masterDir);
    expect(Object.keys(masterSegments).length).toBeGreaterThan(3);
    expect(await segments(slaveDir)).toEqual(masterSegments);
  });

  it('an empty slave starts at the segment the master streams from and serves that segment', async () => {
    const master = await MessageStore.open(smallStoreConfig(join(dir, 'm2')), { logger: silentLogger });
    const slave = await MessageStore.open(smallStoreConfig(join(dir, 's2')), {
      logger: silentLogger,
      refuseWrites: 'slave mode',
    });
    try {
      for (let seq = 0; seq < 200; seq++) await master.put(messageOf(seq, 'Late', 1));
      while (master.maxPhysicalOffset < master.wrotePhysicalOffset)
        await new Promise((resolve) => setTimeout(resolve, 2));
      const segment = 64 * 1024;
      const from = master.maxPhysicalOffset - (master.maxPhysicalOffset % segment);
      expect(from).toBeGreaterThan(0);
      const bytes = await master.readCommitLog(from, BATCH);
      await slave.appendReplicated(from, bytes);
      await replicate(master, slave);
      expect(slave.maxPhysicalOffset).toBe(master.maxPhysicalOffset);
      while (slave.dispatchBehindBytes > 0) await new Promise((resolve) => setTimeout(resolve, 2));
      const last = slave.maxOffsetInQueue('Late', 0) - 1;
      expect(last).toBe(199);
      const read = await slave.getMessage('Late', 0, { offset: last, maxCount: 1, maxBytes: 1 << 20 });
      expect(read.messages.map((m) => Buffer.from(decodeRecord(m).body))).toEqual([messageOf(199).body]);
    } finally {
      await master.shutdown();
      await slave.shutdown();
    }
  });
});
