import fc from 'fast-check';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommitLogReader } from '../../../../src/broker/store/commit-log-reader.js';
import { IndexBuilder } from '../../../../src/broker/store/index-builder.js';
import { IndexService } from '../../../../src/broker/store/index-service.js';
import { offsetToFileName } from '../../../../src/broker/store/mapped-file.js';
import { encodeRecord, writeBlank } from '../../../../src/protocol/message-codec.js';
import { SysFlag } from '../../../../src/protocol/message.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { messageOf } from '../../../fixtures/store/store-fixture.js';

const SEGMENT = 4096;
const ALL = Number.MAX_SAFE_INTEGER;

interface Written {
  /** Each record's physical offset and whether it may be looked up. */
  readonly records: { offset: number; seq: number; indexed: boolean }[];
  readonly end: number;
}

let dir: string;
let index: IndexService | undefined;
let reader: CommitLogReader | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-index-builder-'));
  await mkdir(join(dir, 'commitlog'));
});
afterEach(async () => {
  await index?.close();
  reader?.close();
  index = undefined;
  reader = undefined;
  await rm(dir, { recursive: true, force: true });
});

/**
 * CommitLog segments as the store writes them: records back to back, a BLANK where the next one does not
 * fit. `sizes` are body lengths; a record of seq % 5 === 4 is a rolled-back transaction's.
 */
async function writeLog(sizes: readonly number[], tail?: Buffer): Promise<Written> {
  const records: Written['records'] = [];
  const segments: Buffer[] = [Buffer.alloc(SEGMENT)];
  let position = 0;
  for (const [seq, size] of sizes.entries()) {
    const rolledBack = seq % 5 === 4;
    const input = {
      ...messageOf(seq, 'Keyed'),
      body: Buffer.alloc(size, seq),
      sysFlag: rolledBack ? SysFlag.TRANSACTION_ROLLBACK_TYPE : 0,
    };
    const physicalOffset = (segments.length - 1) * SEGMENT + position;
    const bytes = encodeRecord(input, {
      physicalOffset,
      queueOffset: seq,
      storeTimestamp: 1_700_000_000_000,
    });
    if (position + bytes.length + 8 > SEGMENT) {
      writeBlank(segments.at(-1)!, position, SEGMENT - position);
      segments.push(Buffer.alloc(SEGMENT));
      const moved = (segments.length - 1) * SEGMENT;
      const again = encodeRecord(input, {
        physicalOffset: moved,
        queueOffset: seq,
        storeTimestamp: 1_700_000_000_000,
      });
      again.copy(segments.at(-1)!, 0);
      records.push({ offset: moved, seq, indexed: !rolledBack });
      position = again.length;
      continue;
    }
    bytes.copy(segments.at(-1)!, position);
    records.push({ offset: physicalOffset, seq, indexed: !rolledBack });
    position += bytes.length;
  }
  const end = (segments.length - 1) * SEGMENT + position;
  if (tail !== undefined) tail.copy(segments.at(-1)!, position);
  for (const [i, segment] of segments.entries())
    await writeFile(join(dir, 'commitlog', offsetToFileName(i * SEGMENT)), segment);
  return { records, end };
}

async function builder(chunkBytes?: number, errors: string[] = []): Promise<IndexBuilder> {
  index = await IndexService.load(join(dir, 'index'), { maxHashSlotNum: 13, maxIndexNum: 1000 });
  reader = new CommitLogReader(join(dir, 'commitlog'), SEGMENT);
  return new IndexBuilder(index, reader, (_, message) => errors.push(message), chunkBytes);
}

const found = async (key: string): Promise<number[]> =>
  (await index!.query('Keyed', key, 100, 0, ALL)).physicalOffsets;

describe('IndexBuilder', () => {
  it('property: indexes every record read from the files, whatever the announcements and read sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom(64, 300, 1000, 1 << 20),
        async (sizes, cuts, chunk) => {
          await rm(join(dir, 'commitlog'), { recursive: true, force: true });
          await rm(join(dir, 'index'), { recursive: true, force: true });
          await mkdir(join(dir, 'commitlog'));
          const log = await writeLog(sizes);
          const b = await builder(chunk);
          // The store announces record boundaries as reput passes them.
          const ends = [...cuts.map((c) => log.records[c % log.records.length]!.offset), log.end].sort(
            (x, y) => x - y,
          );
          for (const end of ends) await b.catchUp(end);
          expect(b.behind).toBe(false);
          for (const { offset, seq, indexed } of log.records) {
            expect(await found(`seq-${seq}`)).toEqual(indexed ? [offset] : []);
          }
          await index!.close();
          reader!.close();
          index = undefined;
          reader = undefined;
        },
      ),
      { numRuns: 25 },
    );
  });

  it('goes on at the next segment when the one it reads from was deleted by retention', async () => {
    const log = await writeLog(Array.from({ length: 12 }, () => 900));
    await unlink(join(dir, 'commitlog', offsetToFileName(0)));
    const b = await builder();
    await b.catchUp(log.end);
    expect(b.behind).toBe(false);
    for (const { offset, seq, indexed } of log.records) {
      expect(await found(`seq-${seq}`)).toEqual(indexed && offset >= SEGMENT ? [offset] : []);
    }
  });

  it('stops at bytes that are not a record, logs that once, and keeps what came before', async () => {
    const garbage = Buffer.from('not a record, not a blank either', 'latin1');
    const log = await writeLog([100, 100], garbage);
    const errors: string[] = [];
    const b = await builder(undefined, errors);
    await b.catchUp(log.end + garbage.length);
    await b.catchUp(log.end + garbage.length);
    expect(b.behind).toBe(true);
    expect(errors).toEqual(['index building found bytes that are not a record']);
    expect(await found('seq-0')).toEqual([log.records[0]!.offset]);
    expect(await found('seq-1')).toEqual([log.records[1]!.offset]);
  });

  it('indexes each space-separated KEYS word and the UNIQ_KEY', async () => {
    const bytes = encodeRecord(
      {
        ...messageOf(0, 'Keyed'),
        properties: encodeProperties({ KEYS: 'order-1  order-2', UNIQ_KEY: 'U1' }),
      },
      { physicalOffset: 0, queueOffset: 0, storeTimestamp: 1_700_000_000_000 },
    );
    const segment = Buffer.alloc(SEGMENT);
    bytes.copy(segment);
    await writeFile(join(dir, 'commitlog', offsetToFileName(0)), segment);
    const b = await builder();
    await b.catchUp(bytes.length);
    for (const key of ['order-1', 'order-2', 'U1']) expect(await found(key)).toEqual([0]);
    expect(await found('')).toEqual([]);
  });
});
