import type { Logger } from '../../logger.js';
import { readLong } from '../../protocol/long-field.js';
import type { HostAddress, MessageRecordInput } from '../../protocol/message.js';
import type { PutOptions, PutResult } from '../store/message-store.js';
import { rePutInput } from './re-put.js';

/** Where a waiting message's record is in the CommitLog. */
export interface RecordSpan {
  readonly physicalOffset: number;
  readonly size: number;
}

export interface RePutDeps {
  readRecords(spans: readonly RecordSpan[]): Promise<readonly Buffer[]>;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly storeHost: HostAddress;
  readonly logger: Logger;
}

/** A record's own physical offset field: matches the records read back to the spans asked for. */
const PHYSICAL_OFFSET_AT = 28;
/** One put takes at most this much, so that it always fits a CommitLog segment. */
const MAX_PUT_RECORDS = 64;
const MAX_PUT_BYTES = 1024 * 1024;

/**
 * Moves due messages to their real topics: reads their records in one go, then stores them in puts of a
 * few dozen, in the order given. A record that is gone (retention) or names no real topic is skipped with
 * an error line. Resolves with the CommitLog end of the last re-put, 0 when none was stored.
 */
export async function rePutAll(
  spans: readonly RecordSpan[],
  deps: RePutDeps,
  inputOf: (record: Buffer, storeHost: HostAddress) => MessageRecordInput | undefined = rePutInput,
): Promise<number> {
  if (spans.length === 0) return 0;
  const records = new Map<number, Buffer>();
  for (const record of await deps.readRecords(spans))
    records.set(readLong(record, PHYSICAL_OFFSET_AT), record);
  let end = 0;
  let batch: MessageRecordInput[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const stored = (await deps.put(batch, { waitStoreMsgOK: false })).records.at(-1)!;
    end = stored.physicalOffset + stored.size;
    batch = [];
    bytes = 0;
  };
  for (const span of spans) {
    const record = records.get(span.physicalOffset);
    const input = record === undefined ? undefined : inputOf(record, deps.storeHost);
    if (input === undefined) {
      deps.logger.error(
        { physicalOffset: span.physicalOffset },
        record === undefined
          ? 'scheduled message no longer in the CommitLog; skipped'
          : 'scheduled message has no REAL_TOPIC/REAL_QID; skipped',
      );
      continue;
    }
    if (batch.length >= MAX_PUT_RECORDS || bytes + span.size > MAX_PUT_BYTES) await flush();
    batch.push(input);
    bytes += span.size;
  }
  await flush();
  return end;
}
