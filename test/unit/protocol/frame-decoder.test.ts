import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, ProtocolError } from '../../../src/errors.js';
import { encodeFrame } from '../../../src/protocol/frame.js';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import { createRequest, type RemotingCommand } from '../../../src/protocol/remoting-command.js';
import { anyCommandArb, normalised } from './arbitraries.js';

function cutAt(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const p of [...points, stream.length]) {
    pieces.push(stream.subarray(from, p));
    from = p;
  }
  return pieces;
}

function feed(decoder: FrameDecoder, pieces: Buffer[]): RemotingCommand[] {
  return pieces.flatMap((p) => decoder.push(p));
}

describe('FrameDecoder', () => {
  it('yields the same commands however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(anyCommandArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (commands, cuts) => {
          const stream = Buffer.concat(commands.map(encodeFrame));
          const decoder = new FrameDecoder();
          expect(feed(decoder, cutAt(stream, cuts))).toEqual(commands.map(normalised));
          expect(decoder.buffered).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds back an incomplete frame and reports it as buffered', () => {
    const frame = encodeFrame(createRequest(34, { body: Buffer.alloc(100, 1) }));
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, 3))).toEqual([]);
    expect(decoder.push(frame.subarray(3, 50))).toEqual([]);
    expect(decoder.buffered).toBe(50);
    expect(decoder.push(frame.subarray(50))).toHaveLength(1);
    expect(decoder.buffered).toBe(0);
  });

  it('assembles a large frame from many small chunks', () => {
    const body = Buffer.alloc(300_000, 7);
    const frame = encodeFrame(createRequest(310, { body }));
    const decoder = new FrameDecoder();
    const out = feed(
      decoder,
      cutAt(
        frame,
        Array.from({ length: 200 }, (_, i) => i * 1500 + 3),
      ),
    );
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!.body!).equals(body)).toBe(true);
  });

  it('rejects a frame longer than the maximum as soon as its length arrives', () => {
    const decoder = new FrameDecoder({ maxFrameLength: 1024 });
    const frame = encodeFrame(createRequest(310, { body: Buffer.alloc(2000) }));
    expect(() => decoder.push(frame.subarray(0, 4))).toThrow(FrameTooLargeError);
  });

  it('applies the 16 MiB default', () => {
    const decoder = new FrameDecoder();
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(16 * 1024 * 1024);
    expect(() => decoder.push(prefix)).toThrow(FrameTooLargeError);
  });

  it('rejects a length too small for the header length, and a header length beyond the frame', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 3]))).toThrow(ProtocolError);
    expect(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 8, 0, 0, 0, 5]))).toThrow(ProtocolError);
  });

  it('hands on the frames before a bad one in the same chunk, then fails for good', () => {
    const decoder = new FrameDecoder();
    const good = encodeFrame(createRequest(34, { body: Buffer.from('ok') }));
    const out = decoder.push(Buffer.concat([good, Buffer.from([0, 0, 0, 3, 9, 9, 9])]));
    expect(out.map((command) => command.code)).toEqual([34]);
    expect(decoder.failure).toBeInstanceOf(ProtocolError);
    expect(() => decoder.push(good)).toThrow(decoder.failure);
  });

  it('on random bytes returns commands or throws ProtocolError / FrameTooLargeError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const decoder = new FrameDecoder({ maxFrameLength: 4096 });
        try {
          feed(decoder, cutAt(Buffer.from(bytes), cuts));
        } catch (e) {
          expect(e instanceof ProtocolError || e instanceof FrameTooLargeError).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('on truncated or corrupted streams returns commands or throws ProtocolError only', () => {
    fc.assert(
      fc.property(
        fc.array(anyCommandArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (commands, cutRaw, at, byte) => {
          const stream = Buffer.concat(commands.map(encodeFrame));
          const corrupted = Buffer.from(stream);
          corrupted[at % corrupted.length] = byte;
          const truncated = corrupted.subarray(0, cutRaw % (corrupted.length + 1));
          const decoder = new FrameDecoder();
          try {
            const out = decoder.push(truncated);
            expect(out.length).toBeLessThanOrEqual(commands.length + 1);
          } catch (e) {
            expect(e instanceof ProtocolError || e instanceof FrameTooLargeError).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
