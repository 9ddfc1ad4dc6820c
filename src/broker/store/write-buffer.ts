interface Chunk {
  readonly buffer: Buffer;
  start: number;
  end: number;
}

/**
 * The appended bytes of a segment that the file does not hold yet, in order, in reusable-size chunks.
 * Offsets here count from the first byte not yet consumed (the segment's committed position).
 */
export class WriteBuffer {
  private chunks: Chunk[] = [];

  constructor(private readonly chunkSize: number) {}

  /** Room for `length` bytes at the end, to be filled by the caller. */
  reserve(length: number): { readonly buffer: Buffer; readonly offset: number } {
    let tail = this.chunks.at(-1);
    if (tail === undefined || tail.end + length > tail.buffer.length) {
      tail = { buffer: Buffer.allocUnsafe(Math.max(this.chunkSize, length)), start: 0, end: 0 };
      this.chunks.push(tail);
    }
    const offset = tail.end;
    tail.end += length;
    return { buffer: tail.buffer, offset };
  }

  /**
   * Views of bytes [from, to): stable while a write is in flight, since consuming only moves chunk
   * boundaries and never reuses a buffer.
   */
  views(from: number, to: number): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    for (const chunk of this.chunks) {
      const length = chunk.end - chunk.start;
      const lo = Math.max(from, at);
      const hi = Math.min(to, at + length);
      if (hi > lo) out.push(chunk.buffer.subarray(chunk.start + (lo - at), chunk.start + (hi - at)));
      at += length;
      if (at >= to) break;
    }
    return out;
  }

  /** Copies bytes [from, to) into `target` at `targetOffset`; returns how many were there. */
  copy(from: number, to: number, target: Buffer, targetOffset: number): number {
    let copied = 0;
    for (const view of this.views(from, to)) {
      copied += view.copy(target, targetOffset + copied);
    }
    return copied;
  }

  /** Drops the first `length` bytes: the file has them now. */
  consume(length: number): void {
    let left = length;
    while (left > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(left, chunk.end - chunk.start);
      chunk.start += take;
      left -= take;
      if (chunk.start === chunk.end && (this.chunks.length > 1 || chunk.end === chunk.buffer.length)) {
        this.chunks.shift();
      }
    }
  }

  clear(): void {
    this.chunks = [];
  }
}

/** The views past the first `skip` bytes: what is left to write after a short write. */
export function sliceFrom(chunks: readonly Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  let left = skip;
  for (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    out.push(left > 0 ? chunk.subarray(left) : chunk);
    left = 0;
  }
  return out;
}
