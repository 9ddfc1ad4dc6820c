import { readLong } from '../../protocol/long-field.js';
import { ENTRY_CHUNK, ENTRY_SIZE } from './consume-queue-entry.js';
import type { MappedFile } from './mapped-file.js';

export type EntryTest = (physicalOffset: number, size: number) => boolean;
export const isBlank: EntryTest = (physicalOffset, size) => physicalOffset === 0 && size === 0;
export const isValid: EntryTest = (physicalOffset, size) => physicalOffset >= 0 && size > 0;

/**
 * Walks a segment's raw bytes (positions are unknown before recovery) from `from` while `keepGoing` holds
 * for each entry; returns the position of the first entry where it does not, or the file size.
 */
export async function scan(file: MappedFile, from: number, keepGoing: EntryTest): Promise<number> {
  let position = from;
  // Small first: most scans end at the first entry or two (load's blank check, a fresh segment).
  for (let length = ENTRY_SIZE * 64; position < file.fileSize; length = Math.min(length * 2, ENTRY_CHUNK)) {
    const chunk = await file.readRaw(position, length);
    for (let i = 0; i + ENTRY_SIZE <= chunk.length; i += ENTRY_SIZE, position += ENTRY_SIZE) {
      if (!keepGoing(readLong(chunk, i), chunk.readInt32BE(i + 8))) return position;
    }
  }
  return file.fileSize;
}
