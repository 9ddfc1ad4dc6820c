import { describe, expect, it } from 'vitest';
import { CommitLog } from '../../../../src/broker/store/commit-log.js';
import { decodeRecord, prepareRecord } from '../../../../src/protocol/message-codec.js';
import { messageOf } from '../../../fixtures/store/store-fixture.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-commitlog-', (path) => {
  dir = path;
});

describe('CommitLog', () => {
  it('keeps call order and contiguous offsets when many appends race segment rolls', async () => {
    const log = await CommitLog.load(dir, 16 * 1024);
    const results = await Promise.all(
      Array.from({ length: 400 }, async (_, seq) => {
        const appended = await log.append([prepareRecord(messageOf(seq, 'T', 1))], 1000 + seq);
        return { seq, ...appended[0]! };
      }),
    );
    await log.commit();
    expect(results.map((r) => r.queueOffset)).toEqual(results.map((r) => r.seq));
    for (const [i, r] of results.entries()) {
      const previous = results[i - 1];
      if (previous !== undefined) {
        const end = previous.physicalOffset + previous.size;
        const segmentEnd = end - (end % (16 * 1024)) + 16 * 1024;
        expect([end, segmentEnd]).toContain(r.physicalOffset);
      }
      const record = (await log.readRecord(r.physicalOffset))!;
      expect(decodeRecord(record)).toMatchObject({ queueOffset: r.seq, storeTimestamp: 1000 + r.seq });
    }
    expect(log.files.files.length).toBeGreaterThan(20);
    await log.close();
  });

  it('refuses a record that could never fit a segment', async () => {
    const log = await CommitLog.load(dir, 1024);
    expect(() => log.append([prepareRecord({ ...messageOf(1), body: Buffer.alloc(2000) })], 1)).toThrow(
      /do not fit/,
    );
    await log.close();
  });
});
