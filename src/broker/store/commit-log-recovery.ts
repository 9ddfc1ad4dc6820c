import type { Logger } from '../../logger.js';
import { readLong } from '../../protocol/long-field.js';
import { checkRecord } from '../../protocol/message-codec.js';
import { MESSAGE_MAGIC, SysFlag } from '../../protocol/message.js';
import type { CommitLog } from './commit-log.js';
import type { MappedFile } from './mapped-file.js';

const SCAN_CHUNK = 4 * 1024 * 1024;

export interface RecoveryOptions {
  /** The abort file was there: the last run died, so the checkpoint decides where verification starts. */
  readonly abnormal: boolean;
  /** Checkpoint time (ms) before which everything is known to be on disk. */
  readonly trustedTimestamp: number;
  readonly checkCrc: boolean;
  readonly logger: Logger;
}

export interface CommitLogRecovered {
  /** The new end of the log: every byte before it is a verified record or a segment's BLANK filler. */
  readonly end: number;
  /** Where verification started; after an abnormal stop, dispatch is redone from here. */
  readonly verifiedFrom: number;
}

/**
 * Finds the end of valid data (RocketMQ's recoverNormally / recoverAbnormally) and cuts the log there. A
 * normal stop re-checks the last three segments; an abnormal one starts at the newest segment whose first
 * record is older than the checkpoint. A record must have its magic, a consistent size, its own physical
 * offset (so stale bytes from an earlier life of the file never pass) and, if asked, a matching body CRC.
 */
export async function recoverCommitLog(
  commitLog: CommitLog,
  options: RecoveryOptions,
): Promise<CommitLogRecovered> {
  const files = commitLog.files.files;
  if (files.length === 0) return { end: 0, verifiedFrom: 0 };
  const start = options.abnormal
    ? await checkpointSegment(files, options.trustedTimestamp)
    : Math.max(0, files.length - 3);
  const verifiedFrom = files[start]!.fileFromOffset;
  let end = verifiedFrom;
  for (let i = start; i < files.length; i++) {
    const file = files[i]!;
    const scanned = await scanSegment(file, options);
    end = file.fileFromOffset + scanned.position;
    if (scanned.problem !== undefined) {
      options.logger.warn(
        { file: file.path, offset: end, reason: scanned.problem },
        'CommitLog tail is not a valid record; truncating the log there',
      );
    }
    if (scanned.position < file.fileSize) break;
  }
  await commitLog.files.truncateTo(end);
  const last = commitLog.files.last;
  if (last !== undefined) commitLog.lastAppendTimestamp = last.lastStoreTimestamp;
  commitLog.committedTimestamp = commitLog.flushedTimestamp = commitLog.lastAppendTimestamp;
  return { end, verifiedFrom };
}

/** The newest segment whose first record was stored at or before `timestamp`; the first one otherwise. */
async function checkpointSegment(files: readonly MappedFile[], timestamp: number): Promise<number> {
  for (let i = files.length - 1; i > 0; i--) {
    const head = await files[i]!.readRaw(0, 72);
    if (head.length < 72 || head.readInt32BE(4) !== MESSAGE_MAGIC) continue;
    const storedAt = readLong(head, (head.readInt32BE(36) & SysFlag.BORNHOST_V6) !== 0 ? 68 : 56);
    if (storedAt !== 0 && storedAt <= timestamp) return i;
  }
  return 0;
}

/** Walks one segment's records; `position` is where valid data ends (fileSize when it is all valid). */
async function scanSegment(
  file: MappedFile,
  options: RecoveryOptions,
): Promise<{ position: number; problem?: string }> {
  let position = 0;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkAt = -1;
  while (position < file.fileSize) {
    let rel = position - chunkAt;
    const size = rel + 8 <= chunk.length ? chunk.readInt32BE(rel) : 0;
    // Read again from this record on, unless we already did and the file simply ends (checkRecord judges).
    if (chunkAt !== position && (rel + 8 > chunk.length || rel + size > chunk.length)) {
      chunk = await file.readRaw(position, Math.max(SCAN_CHUNK, size));
      chunkAt = position;
      rel = 0;
    }
    const check = checkRecord(chunk, rel, file.fileSize - position, { checkCrc: options.checkCrc });
    switch (check.kind) {
      case 'end':
        return { position };
      case 'corrupt':
        return { position, problem: check.reason };
      case 'blank':
        if (position + check.size !== file.fileSize) {
          return { position, problem: `BLANK filler of ${check.size} bytes does not reach the segment end` };
        }
        return { position: file.fileSize };
      case 'message': {
        const recorded = readLong(chunk, rel + 28);
        if (recorded !== file.fileFromOffset + position) {
          return { position, problem: `record claims physical offset ${recorded}` };
        }
        const storedAt = readLong(
          chunk,
          rel + ((chunk.readInt32BE(rel + 36) & SysFlag.BORNHOST_V6) !== 0 ? 68 : 56),
        );
        file.lastStoreTimestamp = storedAt;
        position += check.size;
        break;
      }
    }
  }
  return { position };
}
