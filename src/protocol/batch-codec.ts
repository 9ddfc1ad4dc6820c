import { ProtocolError } from '../errors.js';

/** One message inside a SEND_BATCH_MESSAGE body (RocketMQ's MessageDecoder.encodeMessage). */
export interface BatchEntry {
  readonly flag: number;
  readonly body: Uint8Array;
  /** Encoded properties string. */
  readonly properties: string;
}

/** TOTALSIZE, MAGICCODE, BODYCRC, FLAG, BODY length; then PROPERTIES length (short). */
const ENTRY_FIXED = 4 + 4 + 4 + 4 + 4 + 2;

export function encodeBatch(entries: readonly BatchEntry[]): Buffer {
  const props = entries.map((e) => Buffer.from(e.properties, 'utf8'));
  let total = 0;
  entries.forEach((e, i) => (total += ENTRY_FIXED + e.body.length + (props[i]?.length ?? 0)));
  const buf = Buffer.allocUnsafe(total);
  let p = 0;
  entries.forEach((e, i) => {
    const prop = props[i] ?? Buffer.alloc(0);
    if (prop.length > 32767) throw new ProtocolError(`batch entry ${i} has properties over 32767 bytes`);
    buf.writeInt32BE(ENTRY_FIXED + e.body.length + prop.length, p);
    buf.writeInt32BE(0, p + 4);
    buf.writeInt32BE(0, p + 8);
    buf.writeInt32BE(e.flag | 0, p + 12);
    buf.writeInt32BE(e.body.length, p + 16);
    buf.set(e.body, p + 20);
    p += 20 + e.body.length;
    buf.writeInt16BE(prop.length, p);
    prop.copy(buf, p + 2);
    p += 2 + prop.length;
  });
  return buf;
}

export function decodeBatch(body: Uint8Array): BatchEntry[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const entries: BatchEntry[] = [];
  let p = 0;
  while (p < buf.length) {
    if (p + 20 > buf.length) throw new ProtocolError(`batch entry at ${p} is truncated`);
    const size = buf.readInt32BE(p);
    const bodyLength = buf.readInt32BE(p + 16);
    if (bodyLength < 0 || p + 20 + bodyLength + 2 > buf.length)
      throw new ProtocolError(`batch entry at ${p} has a bad body length`);
    const propsAt = p + 20 + bodyLength + 2;
    const propsLength = buf.readInt16BE(propsAt - 2);
    if (propsLength < 0 || propsAt + propsLength > buf.length)
      throw new ProtocolError(`batch entry at ${p} has a bad properties length`);
    if (size !== ENTRY_FIXED + bodyLength + propsLength)
      throw new ProtocolError(`batch entry at ${p} has a size that does not match its fields`);
    entries.push({
      flag: buf.readInt32BE(p + 12),
      body: buf.subarray(p + 20, p + 20 + bodyLength),
      properties: buf.toString('utf8', propsAt, propsAt + propsLength),
    });
    p = propsAt + propsLength;
  }
  return entries;
}
