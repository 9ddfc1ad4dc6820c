import { readDispatchInfo } from '../../protocol/message-codec.js';
import type { CommitLog } from './commit-log.js';
import type { IndexThread } from './index-thread.js';
import type { QueryResult } from './message-store-types.js';

export interface QueryMessageRequest {
  readonly topic: string;
  readonly key: string;
  readonly maxNum: number;
  /** Store time bounds in ms, both included. */
  readonly begin: number;
  readonly end: number;
}

/**
 * Messages of the request's topic whose KEYS or UNIQ_KEY is its key, stored within [begin, end] ms, newest
 * first, once the index holds everything before `through`.
 */
export async function queryMessage(
  index: IndexThread,
  commitLog: CommitLog,
  through: number,
  { topic, key, maxNum, begin, end }: QueryMessageRequest,
): Promise<QueryResult> {
  const hits = await index.query(through, topic, key, maxNum, begin, end);
  const records: Buffer[] = [];
  for (const offset of new Set(hits.physicalOffsets)) {
    const record = await commitLog.readRecord(offset);
    if (record === undefined) continue;
    const info = readDispatchInfo(record, 0);
    // The index keeps whole seconds and key hashes: the record itself settles time and key.
    if (info.topic !== topic || info.storeTimestamp < begin || info.storeTimestamp > end) continue;
    if (info.uniqKey === key || (info.keys?.split(' ').includes(key) ?? false)) records.push(record);
  }
  return {
    records,
    lastUpdateTimestamp: hits.lastUpdateTimestamp,
    lastUpdatePhysicalOffset: hits.lastUpdatePhysicalOffset,
  };
}
