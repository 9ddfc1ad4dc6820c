import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { decodeFrame, encodeFrame } from '../../../src/protocol/frame.js';
import {
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../../src/protocol/remoting-command.js';
import { anyCommandArb, normalised } from './arbitraries.js';

const roundTrip = (cmd: RemotingCommand): RemotingCommand => decodeFrame(encodeFrame(cmd).subarray(4));

function jsonFrame(header: string, body = Buffer.alloc(0)): Buffer {
  const h = Buffer.from(header, 'utf8');
  const frame = Buffer.alloc(4 + h.length + body.length);
  frame.writeUInt32BE(h.length, 0);
  h.copy(frame, 4);
  body.copy(frame, 4 + h.length);
  return frame;
}

describe('encodeFrame / decodeFrame', () => {
  it('round-trips any command in either serialisation', () => {
    fc.assert(
      fc.property(anyCommandArb, (cmd) => {
        const frame = encodeFrame(cmd);
        expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
        expect(frame.readUInt8(4)).toBe(cmd.serializeType);
        expect(decodeFrame(frame.subarray(4))).toEqual(normalised(cmd));
      }),
      { numRuns: 400 },
    );
  });

  it('leaves the body a view into the frame', () => {
    const frame = encodeFrame(createRequest(310, { body: Buffer.from('payload') })).subarray(4);
    const body = decodeFrame(frame).body!;
    expect(body.buffer).toBe(frame.buffer);
    expect(Buffer.from(body).toString()).toBe('payload');
  });

  it('keeps opaque and serialisation on responses and sets the response bit', () => {
    const request = {
      ...createRequest(14, { extFields: { topic: 't' } }),
      opaque: 99,
      serializeType: 1 as const,
    };
    const response = roundTrip(createResponse(request, 22, { remark: 'no offset' }));
    expect(response).toMatchObject({ code: 22, opaque: 99, flag: 1, remark: 'no offset', serializeType: 1 });
  });

  it('reads an empty ROCKETMQ remark back as none, and an empty JSON remark as empty', () => {
    expect(roundTrip({ ...createRequest(1, { remark: '' }), serializeType: 1 }).remark).toBeUndefined();
    expect(roundTrip(createRequest(1, { remark: '' })).remark).toBe('');
  });

  it('accepts extFields numbers and booleans, unknown keys and missing remark in JSON headers', () => {
    const cmd = decodeFrame(
      jsonFrame(
        '{"code":15,"language":"GO","extFields":{"queueId":0,"k":false,"n":null},"opaque":3,"x":[1]}',
      ),
    );
    expect(cmd).toEqual({
      code: 15,
      language: 9,
      version: 0,
      opaque: 3,
      flag: 0,
      remark: undefined,
      extFields: { queueId: '0', k: 'false' },
      body: undefined,
      serializeType: 0,
    });
  });

  it('accepts a numeric language and fastjson-style single quotes', () => {
    expect(decodeFrame(jsonFrame("{'code':10,'language':3,remark:'r'}"))).toMatchObject({
      language: 3,
      remark: 'r',
    });
  });

  it.each([
    ['a frame shorter than its header length', Buffer.from([0, 0])],
    ['a header length beyond the frame', Buffer.from([0, 0, 0, 9, 0x7b, 0x7d])],
    ['an unknown serialize type', Buffer.from([2, 0, 0, 2, 0x7b, 0x7d])],
    ['bad JSON', jsonFrame('{"code":')],
    ['a JSON array header', jsonFrame('[1]')],
    ['a non-integer code', jsonFrame('{"code":1.5}')],
    ['an object in extFields', jsonFrame('{"code":1,"extFields":{"a":{}}}')],
    ['a short ROCKETMQ header', Buffer.from([1, 0, 0, 3, 0, 1, 2])],
  ])('rejects %s with a ProtocolError', (_name, frame) => {
    expect(() => decodeFrame(frame)).toThrow(ProtocolError);
  });

  it('rejects ROCKETMQ headers whose inner lengths overrun', () => {
    const good = encodeFrame({
      ...createRequest(1, { remark: 'r', extFields: { k: 'v' } }),
      serializeType: 1,
    });
    const frame = Buffer.from(good.subarray(4));
    // remark length sits after headerInfo(4) + code(2) + language(1) + version(2) + opaque(4) + flag(4)
    frame.writeInt32BE(1000, 17);
    expect(() => decodeFrame(frame)).toThrow(ProtocolError);
    const negative = Buffer.from(good.subarray(4));
    negative.writeInt32BE(-1, 17);
    expect(() => decodeFrame(negative)).toThrow(ProtocolError);
  });

  it('never throws anything but ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1, 7), (bytes, type) => {
        const frame = Buffer.from(bytes);
        if (frame.length >= 4) frame.writeUInt8(type, 0);
        try {
          decodeFrame(frame);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but ProtocolError on corrupted real frames', () => {
    fc.assert(
      fc.property(anyCommandArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (cmd, at, byte) => {
        const frame = Buffer.from(encodeFrame(cmd).subarray(4));
        frame[at % frame.length] = byte;
        try {
          decodeFrame(frame.subarray(0, frame.length - (at % 3)));
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
