import { readLong, writeLong } from '../../protocol/long-field.js';

/** long commitLogOffset, int size, long tagsCode. */
export const ENTRY_SIZE = 20;
/** About 64 KiB of whole entries, for write buffers and recovery reads alike. */
export const ENTRY_CHUNK = ENTRY_SIZE * 3276;
const TWO_32 = 4294967296;

export interface ConsumeQueueEntry {
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

/** Writes `entry`'s 20 bytes at `offset` (its queueOffset is where it sits, not part of it). */
export function writeEntry(buffer: Buffer, offset: number, entry: ConsumeQueueEntry): void {
  writeLong(buffer, offset, entry.physicalOffset);
  buffer.writeInt32BE(entry.size, offset + 8);
  // Not writeLong: tag hash codes are negative half the time, and its BigInt path would allocate per put.
  const high = Math.floor(entry.tagsCode / TWO_32);
  buffer.writeInt32BE(high, offset + 12);
  buffer.writeUInt32BE(entry.tagsCode - high * TWO_32, offset + 16);
}

/** The whole entries in `bytes`, the first of them at queue offset `start`. */
export function readEntries(bytes: Buffer, start: number): ConsumeQueueEntry[] {
  const entries: ConsumeQueueEntry[] = [];
  for (let i = 0; i + ENTRY_SIZE <= bytes.length; i += ENTRY_SIZE) {
    entries.push({
      queueOffset: start + i / ENTRY_SIZE,
      physicalOffset: readLong(bytes, i),
      size: bytes.readInt32BE(i + 8),
      tagsCode: readLong(bytes, i + 12),
    });
  }
  return entries;
}
