import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContentType, decodeBody, encodeBody } from '../../../src/client/body-codec.js';

describe('body codec', () => {
  it('passes bytes through without a content type', () => {
    const bytes = Buffer.from([1, 2, 3]);
    const encoded = encodeBody(bytes);
    expect(encoded.contentType).toBeUndefined();
    expect(encoded.bytes).toBe(bytes);
  });

  it('round-trips strings as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const { bytes, contentType } = encodeBody(s);
        expect(contentType).toBe(ContentType.TEXT);
        expect(decodeBody(bytes, contentType)).toBe(s);
      }),
    );
  });

  it('round-trips structured values as CBOR', () => {
    fc.assert(
      fc.property(fc.record({ id: fc.integer(), name: fc.string(), tags: fc.array(fc.string()) }), (v) => {
        const { bytes, contentType } = encodeBody(v);
        expect(contentType).toBe(ContentType.CBOR);
        expect(decodeBody(bytes, contentType)).toEqual(v);
      }),
    );
  });
});
