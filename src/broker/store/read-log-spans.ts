import type { MappedFileQueue } from './mapped-file-queue.js';

/** A span of the log to read: a ConsumeQueue entry or an index hit. */
export interface LogSpan {
  readonly physicalOffset: number;
  readonly size: number;
}

/** The bytes between two records we still read in one go rather than issuing two reads. */
const COALESCE_GAP = 64 * 1024;

/**
 * The bytes of each span, in order, as views: spans close together in the log are read with one pread
 * (a pull's messages usually sit near each other). A span no longer (or not yet) readable is left out.
 */
export async function readLogSpans(files: MappedFileQueue, spans: readonly LogSpan[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let i = 0;
  while (i < spans.length) {
    const first = spans[i]!;
    const file = files.findByOffset(first.physicalOffset);
    if (file === undefined) {
      i += 1;
      continue;
    }
    const fileEnd = file.fileFromOffset + file.fileSize;
    let j = i + 1;
    let end = first.physicalOffset + first.size;
    while (j < spans.length) {
      const next = spans[j]!;
      if (next.physicalOffset < first.physicalOffset || next.physicalOffset > end + COALESCE_GAP) break;
      if (next.physicalOffset + next.size > fileEnd) break;
      end = Math.max(end, next.physicalOffset + next.size);
      j += 1;
    }
    if (!file.acquire()) {
      i = j;
      continue;
    }
    try {
      const bytes = await file.read(first.physicalOffset - file.fileFromOffset, end - first.physicalOffset);
      for (let k = i; k < j; k++) {
        const span = spans[k]!;
        const from = span.physicalOffset - first.physicalOffset;
        if (from + span.size <= bytes.length) out.push(bytes.subarray(from, from + span.size));
      }
    } finally {
      file.release();
    }
    i = j;
  }
  return out;
}
