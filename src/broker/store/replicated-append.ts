import { readLong } from '../../protocol/long-field.js';
import { SysFlag } from '../../protocol/message.js';
import { recordSizeAt } from '../../protocol/record-frame.js';
import type { MappedFileQueue } from './mapped-file-queue.js';

/** The part of a CommitLog a replicated append moves. */
export interface ReplicaLog {
  readonly files: MappedFileQueue;
  lastAppendTimestamp: number;
}

/** Store timestamp of the last whole record in `bytes` (records back to back from its start), else 0. */
function lastStoreTimestampIn(bytes: Buffer): number {
  let timestamp = 0;
  let at = 0;
  for (;;) {
    const size = recordSizeAt(bytes, at, bytes.length);
    if (size < 0) break;
    const bornV6 = (bytes.readInt32BE(at + 36) & SysFlag.BORNHOST_V6) !== 0;
    timestamp = readLong(bytes, at + (bornV6 ? 68 : 56));
    at += size;
  }
  return timestamp;
}

/**
 * A slave's append: `bytes` are the master's CommitLog from `offset` on, within one segment, taken as they
 * are (BLANK tails included) so both logs match byte for byte. Reput reads them back from the file.
 */
export async function appendReplicatedBytes(log: ReplicaLog, offset: number, bytes: Buffer): Promise<void> {
  const files = log.files;
  if (offset !== files.wroteOffset && files.files.length > 0) {
    throw new RangeError(`replicated bytes at ${offset}, but the log ends at ${files.wroteOffset}`);
  }
  if (bytes.length === 0) return;
  const file = files.writableNow() ?? (await files.writable(offset));
  if (file.fileFromOffset + file.wrotePosition !== offset || bytes.length > file.remaining) {
    throw new RangeError(
      `replicated bytes [${offset}, ${offset + bytes.length}) do not continue segment ${file.fileName}`,
    );
  }
  file.append(bytes);
  const timestamp = lastStoreTimestampIn(bytes);
  if (timestamp > 0) {
    file.lastStoreTimestamp = timestamp;
    log.lastAppendTimestamp = timestamp;
  }
}
