import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { decodeBatch, encodeBatch } from '../../../src/protocol/batch-codec.js';
import { compressBody, decompressBody } from '../../../src/protocol/compression.js';
import { parseTagExpression, tagMatches, tagsCodeMatches } from '../../../src/protocol/filter/tag.js';
import { javaStringHashCode } from '../../../src/protocol/java-hash.js';
import { SysFlag } from '../../../src/protocol/message.js';
import {
  createOffsetMsgId,
  createUniqKeyGenerator,
  decodeOffsetMsgId,
} from '../../../src/protocol/msg-id.js';
import { decodeProperties, encodeProperties, propertyValue } from '../../../src/protocol/properties.js';

describe('Java String.hashCode', () => {
  it('matches values Java computes', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('The quick brown fox jumps over the lazy dog')).toBe(-609428141);
    // U+1F600 is the UTF-16 pair D83D DE00: 31 * 55357 + 56832
    expect(javaStringHashCode('😀')).toBe(1772899);
  });
});

describe('properties', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);
  const value = fc.string().filter((s) => !s.includes('\u0001') && !s.includes('\u0002'));
  it('round-trip, with or without the trailing separator older clients write', () => {
    fc.assert(
      fc.property(fc.dictionary(name, value), (d) => {
        const text = encodeProperties(d);
        expect(Object.fromEntries(decodeProperties(text))).toEqual(d);
        expect(Object.fromEntries(decodeProperties(`${text}\u0002`))).toEqual(d);
      }),
    );
  });

  it('reads one value as the decoded map has it, whatever the neighbours and duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value)), name, fc.boolean(), (pairs, probe, trailing) => {
        const text = pairs.map(([n, v]) => `${n}\u0001${v}`).join('\u0002') + (trailing ? '\u0002' : '');
        const decoded = decodeProperties(text);
        for (const n of [probe, ...pairs.map(([n]) => n)])
          expect(propertyValue(text, n)).toBe(decoded.get(n));
      }),
    );
  });
});

describe('batch bodies', () => {
  const entry = fc.record({
    flag: fc.integer({ min: -1000, max: 1000 }),
    body: fc.uint8Array({ maxLength: 512 }),
    properties: fc.string({ maxLength: 40 }),
  });
  it('round-trip', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), (entries) => {
        const decoded = decodeBatch(encodeBatch(entries));
        expect(decoded.map((e) => ({ ...e, body: Uint8Array.from(e.body) }))).toEqual(
          entries.map((e) => ({ ...e, body: Uint8Array.from(e.body) })),
        );
      }),
    );
  });
  it('malformed bodies raise ProtocolError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeBatch(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});

describe('message ids', () => {
  it('offset msgIds round-trip for IPv4 and IPv6', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.constant('::1'), fc.constant('fe80::1:2')),
        fc.nat(65535),
        fc.integer({ min: 0, max: 2 ** 52 }),
        (address, port, offset) => {
          const id = createOffsetMsgId({ address, port }, offset);
          expect(id).toMatch(/^[0-9A-F]+$/);
          expect(id.length).toBe(address.includes(':') ? 56 : 32);
          const back = decodeOffsetMsgId(id);
          expect(back.physicalOffset).toBe(offset);
          expect(back.host.port).toBe(port);
          expect(createOffsetMsgId(back.host, offset)).toBe(id);
        },
      ),
    );
    expect(() => decodeOffsetMsgId('nothex')).toThrow(ProtocolError);
  });

  it('UNIQ_KEYs are 32 hex chars and unique', () => {
    const next = createUniqKeyGenerator();
    const keys = new Set(Array.from({ length: 60_000 }, next));
    expect(keys.size).toBe(60_000);
    for (const k of [...keys].slice(0, 10)) expect(k).toMatch(/^[0-9A-F]{32}$/);
  });
});

describe('compression and tags', () => {
  it('zlib bodies inflate back; uncompressed pass through', () => {
    const body = Buffer.from('x'.repeat(5000));
    const packed = compressBody(body);
    expect(packed.length).toBeLessThan(body.length);
    expect(Buffer.from(decompressBody(packed, SysFlag.COMPRESSED)).equals(body)).toBe(true);
    expect(decompressBody(body, 0)).toBe(body);
    expect(() => decompressBody(Buffer.from('junk'), SysFlag.COMPRESSED)).toThrow(ProtocolError);
  });

  it('tag expressions', () => {
    const all = parseTagExpression('*');
    expect(all.matchesAll).toBe(true);
    const ab = parseTagExpression(' TagA || TagB ||');
    expect(ab.tagsSet).toEqual(['TagA', 'TagB']);
    expect(ab.codeSet).toEqual([2598919, 2598920]);
    expect(tagsCodeMatches(ab, 2598920)).toBe(true);
    expect(tagMatches(ab, 'TagC')).toBe(false);
    expect(tagMatches(ab, undefined)).toBe(false);
  });
});
