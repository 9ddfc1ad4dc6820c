/**
 * Incremental frame splitter (Netty's LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4) plus decodeFrame).
 * Chunks are kept as a list and only the bytes of a frame that straddles chunks are copied, so a large
 * frame arriving in many pieces costs one copy, not a re-concatenation per piece.
 */
import { FrameTooLargeError, ProtocolError } from '../errors.js';
import { decodeFrame } from './frame.js';
import type { RemotingCommand } from './remoting-command.js';

export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

export interface FrameDecoderOptions {
  /** Largest frame accepted, length prefix included (Netty counts it too). */
  readonly maxFrameLength?: number;
}

export class FrameDecoder {
  private readonly maxFrameLength: number;
  private chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private head = 0;
  private total = 0;
  private broken: Error | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.total;
  }

  /**
   * The error that stopped decoding after the frames last returned; push() throws it from then on. The
   * frames before a bad one are returned first, as Netty hands each decoded frame on before the next fails.
   */
  get failure(): Error | undefined {
    return this.broken;
  }

  /**
   * Adds a chunk and returns every command completed by it; throws on bytes that cannot be a frame, unless
   * complete frames came before them in this chunk (then see `failure`).
   */
  push(chunk: Buffer): RemotingCommand[] {
    if (this.broken !== undefined) throw this.broken;
    const out: RemotingCommand[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    try {
      for (let command = this.next(); command !== undefined; command = this.next()) out.push(command);
    } catch (error) {
      if (out.length === 0) throw error;
      this.broken = error instanceof Error ? error : new ProtocolError(String(error));
    }
    return out;
  }

  /** The next complete frame's command, or undefined until more bytes arrive. */
  private next(): RemotingCommand | undefined {
    if (this.total < 4) return undefined;
    const length = this.peekUInt32(0);
    if (length + 4 > this.maxFrameLength) throw new FrameTooLargeError(length + 4, this.maxFrameLength);
    if (length < 4) throw new ProtocolError(`frame length ${length} leaves no room for the header length`);
    if (this.total >= 8) {
      const headerLength = this.peekUInt32(4) & 0xffffff;
      if (headerLength > length - 4) {
        throw new ProtocolError(`header length ${headerLength} exceeds frame length ${length}`);
      }
    }
    if (this.total < 4 + length) return undefined;
    return decodeFrame(this.take(4 + length));
  }

  private peekUInt32(offset: number): number {
    const first = this.chunks[0]!;
    const at = this.head + offset;
    if (at + 4 <= first.length) return first.readUInt32BE(at);
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 256 + this.peekByte(offset + i);
    return value;
  }

  private peekByte(offset: number): number {
    let at = this.head + offset;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
    }
    throw new RangeError('peek past buffered bytes');
  }

  /** Consumes `n` bytes and returns them without their first 4 (the length prefix). */
  private take(n: number): Buffer {
    this.total -= n;
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const frame = first.subarray(this.head + 4, this.head + n);
      this.head += n;
      if (this.head === first.length) this.dropFirst();
      return frame;
    }
    const frame = Buffer.allocUnsafe(n - 4);
    let skip = 4;
    let written = 0;
    let remaining = n;
    while (remaining > 0) {
      const chunk = this.chunks[0]!;
      const available = Math.min(chunk.length - this.head, remaining);
      const from = this.head + Math.min(skip, available);
      const to = this.head + available;
      if (to > from) written += chunk.copy(frame, written, from, to);
      skip -= Math.min(skip, available);
      remaining -= available;
      this.head += available;
      if (this.head === chunk.length) this.dropFirst();
    }
    return frame;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.head = 0;
  }
}
