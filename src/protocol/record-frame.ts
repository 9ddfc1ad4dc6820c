import { BLANK_MAGIC, MESSAGE_MAGIC } from './message.js';

/** What `recordSizeAt` finds where no whole record starts. */
export const NoRecord = {
  /** The header or the record runs past the bytes at hand. */
  PARTIAL: -1,
  /** A segment's end-of-file filler: the log goes on at the next segment. */
  BLANK: -2,
  /** Neither magic, or a size that is not positive. */
  NOT_A_RECORD: -3,
} as const;

/**
 * What starts at `at` in CommitLog bytes that end at `end`: the size of a whole message record, or one of
 * NoRecord's (negative) values. Everything that walks the log record by record frames it this way.
 */
export function recordSizeAt(buf: Buffer, at: number, end: number): number {
  if (at + 8 > end) return NoRecord.PARTIAL;
  const size = buf.readInt32BE(at);
  const magic = buf.readInt32BE(at + 4);
  if (magic === BLANK_MAGIC) return NoRecord.BLANK;
  if (magic !== MESSAGE_MAGIC || size <= 0) return NoRecord.NOT_A_RECORD;
  return at + size > end ? NoRecord.PARTIAL : size;
}
