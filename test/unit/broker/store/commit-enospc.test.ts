import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../../../../src/broker/store/message-store.js';
import { StoreUnavailableError } from '../../../../src/broker/store/store-errors.js';
import { decodeRecord } from '../../../../src/protocol/message-codec.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { type Tmpfs, fill, mountTmpfs } from '../../../fixtures/disk/full-disk-kit.js';
import { bodyOf, messageOf, smallStoreConfig } from '../../../fixtures/store/store-fixture.js';

let tmpfs: Tmpfs | undefined;

afterEach(async () => {
  if (tmpfs !== undefined && 'dir' in tmpfs) await tmpfs.unmount();
  tmpfs = undefined;
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MessageStore on a file system that runs out of space', () => {
  it('refuses puts once a CommitLog write fails with ENOSPC, keeps what it acknowledged, and takes puts again when space returns', async (context) => {
    tmpfs = await mountTmpfs(2);
    if ('reason' in tmpfs) {
      console.warn(`skipping: a real ENOSPC needs a tmpfs: ${tmpfs.reason}`);
      context.skip();
      return;
    }
    const logger = recordingLogger();
    // Never full by the ratio: only the failed write can tell.
    const store = await MessageStore.open(smallStoreConfig(join(tmpfs.dir, 'store')), {
      logger,
      diskUsage: () => Promise.resolve(0.5),
    });
    try {
      const acknowledged: number[] = [];
      const put = async (seq: number): Promise<void> => {
        await store.put(messageOf(seq, 'T', 1));
        acknowledged.push(seq);
      };
      for (let seq = 0; seq < 5; seq++) await put(seq);
      const filler = join(tmpfs.dir, 'filler');
      await fill(filler, 0);

      let refusal: unknown;
      let seq = 5;
      for (; refusal === undefined && seq < 5_000; seq++) {
        await put(seq).catch((error: unknown) => {
          refusal = error;
        });
        await pause(1);
      }
      expect(refusal).toBeInstanceOf(StoreUnavailableError);
      expect((refusal as Error).message).toMatch(/disk full: no space left on the device/);
      const errors = logger.lines.filter(
        (line) => line.level === 'error' && line.message.includes('refusing new messages'),
      );
      expect(errors).toHaveLength(1);

      await rm(filler);
      let resumed = false;
      for (let tries = 0; !resumed && tries < 1_000; tries++) {
        resumed = await put(seq).then(
          () => true,
          () => false,
        );
        await pause(5);
      }
      expect(resumed).toBe(true);
      expect(logger.lines.some((line) => line.message.includes('CommitLog writes succeed again'))).toBe(true);

      // Everything acknowledged, before, during and after the full disk, is in the queue in order.
      let read: readonly Buffer[] = [];
      for (let tries = 0; read.length < acknowledged.length && tries < 1_000; tries++) {
        read = (await store.getMessage('T', 0, { offset: 0, maxCount: 10_000, maxBytes: 64 << 20 })).messages;
        await pause(5);
      }
      expect(read.map((record) => Buffer.from(decodeRecord(record).body))).toEqual(acknowledged.map(bodyOf));
    } finally {
      await store.shutdown();
    }
  });
});
