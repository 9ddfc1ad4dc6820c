import { decode as decodeCbor, encode as encodeCbor } from 'cbor-x';

/**
 * What a user may pass as a message body, and how it travels: bytes as they are, strings as UTF-8, and any
 * other value as CBOR (cbor-x). The CONTENT_TYPE user property tells the consumer which one it got, so a
 * RocketMQ client in another language still sees plain bytes and can decode by that property.
 */
export type MessageBody = Uint8Array | string | object | number | boolean;

export const CONTENT_TYPE_PROPERTY = 'CONTENT_TYPE';
export const ContentType = {
  CBOR: 'application/cbor',
  TEXT: 'text/plain; charset=utf-8',
  JSON: 'application/json',
} as const;

export interface EncodedBody {
  readonly bytes: Uint8Array;
  /** undefined for raw bytes: no property is added. */
  readonly contentType: string | undefined;
}

export function encodeBody(body: MessageBody): EncodedBody {
  if (body instanceof Uint8Array) return { bytes: body, contentType: undefined };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: ContentType.TEXT };
  return { bytes: encodeCbor(body), contentType: ContentType.CBOR };
}

/** Decodes by content type; bytes without a known content type come back as they are. */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): unknown {
  switch (contentType) {
    case ContentType.CBOR:
      return decodeCbor(bytes);
    case ContentType.TEXT:
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    case ContentType.JSON:
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    case undefined:
    default:
      return bytes;
  }
}
