import type { CommitLog } from './commit-log.js';
import type { ConsumeQueue } from './consume-queue.js';
import type { ConsumeQueueEntry } from './consume-queue-entry.js';

/** RocketMQ's GetMessageStatus. */
export type GetMessageStatus =
  | 'FOUND'
  | 'NO_MATCHED_MESSAGE'
  | 'MESSAGE_WAS_REMOVING'
  | 'OFFSET_FOUND_NULL'
  | 'OFFSET_OVERFLOW_BADLY'
  | 'OFFSET_OVERFLOW_ONE'
  | 'OFFSET_TOO_SMALL'
  | 'NO_MATCHED_LOGIC_QUEUE'
  | 'NO_MESSAGE_IN_QUEUE';

/** A subscription's filter, applied while reading: by tag hash from the ConsumeQueue, then by record. */
export interface MessageFilter {
  matchesTagsCode?(tagsCode: number): boolean;
  matchesRecord?(record: Buffer): boolean;
}

export interface GetMessageRequest {
  readonly offset: number;
  readonly maxCount: number;
  readonly maxBytes: number;
  readonly filter?: MessageFilter;
}

export interface GetMessageResult {
  readonly status: GetMessageStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Each message's CommitLog record, byte for byte: a pull body is these concatenated. */
  readonly messages: readonly Buffer[];
  readonly totalBytes: number;
  /** How far the newest message read lies behind the log's end, for the read-from-slave decision. */
  readonly behindBytes: number;
}

/** ConsumeQueue entries scanned at most per pull when a filter skips most of them (RocketMQ's 16000). */
const MAX_FILTER_SCAN = 16_000;

const empty = (
  status: GetMessageStatus,
  nextBeginOffset: number,
  minOffset: number,
  maxOffset: number,
): GetMessageResult => ({
  status,
  nextBeginOffset,
  minOffset,
  maxOffset,
  messages: [],
  totalBytes: 0,
  behindBytes: 0,
});

/**
 * DefaultMessageStore.getMessage: the queue offset is checked against the queue's range, entries are
 * filtered by tag hash before any CommitLog read, and the records that pass are returned as they are
 * stored (no decode, no re-encode).
 */
export async function getMessage(
  commitLog: CommitLog,
  queue: ConsumeQueue | undefined,
  request: GetMessageRequest,
): Promise<GetMessageResult> {
  if (queue === undefined) return empty('NO_MATCHED_LOGIC_QUEUE', 0, 0, 0);
  const { minOffset, maxOffset } = queue;
  const { offset } = request;
  if (maxOffset === 0) return empty('NO_MESSAGE_IN_QUEUE', 0, minOffset, maxOffset);
  if (offset < minOffset) return empty('OFFSET_TOO_SMALL', minOffset, minOffset, maxOffset);
  if (offset === maxOffset) return empty('OFFSET_OVERFLOW_ONE', offset, minOffset, maxOffset);
  if (offset > maxOffset) {
    return empty('OFFSET_OVERFLOW_BADLY', minOffset === 0 ? minOffset : maxOffset, minOffset, maxOffset);
  }

  const filter = request.filter;
  const scanLimit = Math.max(MAX_FILTER_SCAN, request.maxCount * 20);
  const chosen: ConsumeQueueEntry[] = [];
  let status: GetMessageStatus = 'NO_MATCHED_MESSAGE';
  let next = offset;
  let bytes = 0;
  scan: while (next < maxOffset && next - offset < scanLimit) {
    // Unfiltered, the entries needed are known; a tag filter may skip many, so read further ahead.
    const wanted = filter?.matchesTagsCode === undefined ? request.maxCount - chosen.length : 512;
    const entries = await queue.read(next, Math.min(scanLimit - (next - offset), wanted));
    if (entries.length === 0) break;
    for (const entry of entries) {
      if (chosen.length >= request.maxCount || (chosen.length > 0 && bytes + entry.size > request.maxBytes)) {
        break scan;
      }
      next = entry.queueOffset + 1;
      if (entry.physicalOffset < commitLog.minOffset) {
        status = 'MESSAGE_WAS_REMOVING';
        continue;
      }
      if (filter?.matchesTagsCode !== undefined && !filter.matchesTagsCode(entry.tagsCode)) continue;
      chosen.push(entry);
      bytes += entry.size;
    }
  }
  const records = chosen.length === 0 ? [] : await commitLog.readSpans(chosen);
  const messages =
    filter?.matchesRecord === undefined ? records : records.filter((record) => filter.matchesRecord!(record));
  let totalBytes = 0;
  for (const message of messages) totalBytes += message.length;
  if (messages.length > 0) status = 'FOUND';
  else if (chosen.length > 0 && records.length === 0) status = 'OFFSET_FOUND_NULL';
  const last = chosen.at(-1);
  return {
    status,
    nextBeginOffset: next,
    minOffset,
    maxOffset,
    messages,
    totalBytes,
    behindBytes: last === undefined ? 0 : commitLog.maxOffset - last.physicalOffset,
  };
}
