/**
 * RocketMQ 4.x's HA wire format, both directions, as pure functions: the slave's report is its max CommitLog
 * offset as an 8-byte big-endian long; the master's transfer is a 12-byte header (physical offset, 8 bytes;
 * body size, 4 bytes) and then that many CommitLog bytes, a size of 0 being a heartbeat. The decoders are
 * incremental: TCP may split or join frames anywhere.
 */
import { HaProtocolError } from './ha-errors.js';

export const REPORT_SIZE = 8;
export const TRANSFER_HEADER_SIZE = 12;

/** One master-to-slave frame: `body` empty for a heartbeat. */
export interface Transfer {
  readonly offset: number;
  readonly body: Buffer;
}

const readOffset = (bytes: Buffer, at: number): number => {
  const value = bytes.readBigInt64BE(at);
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new HaProtocolError(`offset ${value} is outside 0..2^53`);
  }
  return Number(value);
};

export function encodeReport(maxOffset: number): Buffer {
  const out = Buffer.allocUnsafe(REPORT_SIZE);
  out.writeBigInt64BE(BigInt(maxOffset), 0);
  return out;
}

/** The header of a transfer; the body is written after it as it is, so it is never copied. */
export function encodeTransferHeader(offset: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(TRANSFER_HEADER_SIZE);
  out.writeBigInt64BE(BigInt(offset), 0);
  out.writeInt32BE(size, 8);
  return out;
}

/** Joins what arrived with what was left over from the last chunk. */
const joined = (rest: Buffer, chunk: Buffer): Buffer =>
  rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);

/** Master side: the slave's reports in a byte stream. Only the newest one matters, but all are returned. */
export class ReportDecoder {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): number[] {
    const bytes = joined(this.rest, chunk);
    const reports: number[] = [];
    let at = 0;
    while (at + REPORT_SIZE <= bytes.length) {
      reports.push(readOffset(bytes, at));
      at += REPORT_SIZE;
    }
    this.rest = bytes.subarray(at);
    return reports;
  }
}

/** Slave side: whole transfers in a byte stream; a body larger than `maxBody` is refused. */
export class TransferDecoder {
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBody: number) {}

  push(chunk: Buffer): Transfer[] {
    const bytes = joined(this.rest, chunk);
    const transfers: Transfer[] = [];
    let at = 0;
    while (at + TRANSFER_HEADER_SIZE <= bytes.length) {
      const offset = readOffset(bytes, at);
      const size = bytes.readInt32BE(at + 8);
      if (size < 0 || size > this.maxBody) {
        throw new HaProtocolError(`transfer of ${size} bytes at ${offset}: expected 0..${this.maxBody}`);
      }
      const end = at + TRANSFER_HEADER_SIZE + size;
      if (end > bytes.length) break;
      // A copy: the slave keeps the bytes past this chunk's life (they go into its write buffer).
      transfers.push({ offset, body: Buffer.from(bytes.subarray(at + TRANSFER_HEADER_SIZE, end)) });
      at = end;
    }
    this.rest = bytes.subarray(at);
    return transfers;
  }
}
