import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  REPORT_SIZE,
  ReportDecoder,
  TRANSFER_HEADER_SIZE,
  TransferDecoder,
  encodeReport,
  encodeTransferHeader,
} from '../../../../src/broker/ha/ha-codec.js';
import { HaProtocolError } from '../../../../src/broker/ha/ha-errors.js';

const offset = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const MAX_BODY = 512;
const transfer = fc.record({ offset, body: fc.uint8Array({ maxLength: MAX_BODY }) });

/** `bytes` cut at the given positions, as TCP may deliver them. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

describe('HA codec', () => {
  it('reports are 8-byte big-endian offsets, decoded whole however the stream is split', () => {
    fc.assert(
      fc.property(
        fc.array(offset, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (offsets, cuts) => {
          const bytes = Buffer.concat(offsets.map(encodeReport));
          expect(bytes.length).toBe(offsets.length * REPORT_SIZE);
          const decoder = new ReportDecoder();
          expect(split(bytes, cuts).flatMap((chunk) => decoder.push(chunk))).toEqual(offsets);
        },
      ),
    );
  });

  it('transfers round-trip with their bodies, heartbeats included, however the stream is split', () => {
    fc.assert(
      fc.property(
        fc.array(transfer, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (sent, cuts) => {
          const bytes = Buffer.concat(
            sent.flatMap((t) => [encodeTransferHeader(t.offset, t.body.length), Buffer.from(t.body)]),
          );
          const decoder = new TransferDecoder(MAX_BODY);
          const got = split(bytes, cuts).flatMap((chunk) => decoder.push(chunk));
          expect(got.map((t) => ({ offset: t.offset, body: new Uint8Array(t.body) }))).toEqual(
            sent.map((t) => ({ offset: t.offset, body: new Uint8Array(t.body) })),
          );
        },
      ),
    );
  });

  it('writes the header as RocketMQ lays it out: offset (8 bytes) then size (4 bytes)', () => {
    expect(encodeTransferHeader(0x0102030405, 7).toString('hex')).toBe('000000010203040500000007');
    expect(encodeTransferHeader(1, 0)).toHaveLength(TRANSFER_HEADER_SIZE);
    expect(encodeReport(258).toString('hex')).toBe('0000000000000102');
  });

  it('refuses a negative size, a body above the limit and a negative offset', () => {
    const decoder = (): TransferDecoder => new TransferDecoder(16);
    const negativeSize = Buffer.alloc(12);
    negativeSize.writeInt32BE(-1, 8);
    expect(() => decoder().push(negativeSize)).toThrow(HaProtocolError);
    expect(() => decoder().push(encodeTransferHeader(0, 17))).toThrow(/expected 0..16/);
    expect(() => decoder().push(Buffer.from('ffffffffffffffff00000000', 'hex'))).toThrow(/outside/);
    expect(() => new ReportDecoder().push(Buffer.from('8000000000000000', 'hex'))).toThrow(HaProtocolError);
  });
});
