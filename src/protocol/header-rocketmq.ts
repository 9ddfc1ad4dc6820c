/**
 * ROCKETMQ binary header (RocketMQSerializable): fixed fields, then a length-prefixed remark and a
 * length-prefixed run of `short keyLen, key, int valLen, val` entries. Sizes are computed first so the whole
 * header is written into the frame buffer in place, without per-field buffers.
 */
import { ProtocolError } from '../errors.js';
import { SerializeType, type ExtFields, type RemotingCommand } from './remoting-command.js';

/** code(2) language(1) version(2) opaque(4) flag(4) remarkLen(4) extLen(4). */
const FIXED_SIZE = 21;
const MAX_KEY_BYTES = 0x7fff;

function extFieldsSize(ext: ExtFields): number {
  let size = 0;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined || value === null) continue;
    const keyBytes = Buffer.byteLength(key, 'utf8');
    if (keyBytes > MAX_KEY_BYTES)
      throw new ProtocolError(`extFields key of ${keyBytes} bytes does not fit a short`);
    size += 6 + keyBytes + Buffer.byteLength(value, 'utf8');
  }
  return size;
}

const SHORT_STRING = 64;

/** Short ASCII strings (header keys and most values) are copied byte by byte: several times faster than write. */
function writeUtf8(buf: Buffer, text: string, offset: number): number {
  const n = text.length;
  if (n > SHORT_STRING) return buf.write(text, offset, 'utf8');
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return buf.write(text, offset, 'utf8');
    buf[offset + i] = c;
  }
  return n;
}

/** Bytes `writeRocketmqHeader` will write for `cmd`. */
export function rocketmqHeaderLength(cmd: RemotingCommand): number {
  const remarkBytes = cmd.remark ? Buffer.byteLength(cmd.remark, 'utf8') : 0;
  return FIXED_SIZE + remarkBytes + (cmd.extFields ? extFieldsSize(cmd.extFields) : 0);
}

/** Writes the header at `offset` (Java casts code and version to short: we keep the low 16 bits too). */
export function writeRocketmqHeader(cmd: RemotingCommand, buf: Buffer, offset: number): number {
  let pos = offset;
  buf.writeUInt16BE(cmd.code & 0xffff, pos);
  buf.writeUInt8(cmd.language & 0xff, pos + 2);
  buf.writeUInt16BE(cmd.version & 0xffff, pos + 3);
  buf.writeInt32BE(cmd.opaque | 0, pos + 5);
  buf.writeInt32BE(cmd.flag | 0, pos + 9);
  pos += 13;
  const remarkBytes = cmd.remark ? writeUtf8(buf, cmd.remark, pos + 4) : 0;
  buf.writeInt32BE(remarkBytes, pos);
  pos += 4 + remarkBytes;
  const extLengthAt = pos;
  pos += 4;
  const ext = cmd.extFields;
  if (ext) {
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      const keyBytes = writeUtf8(buf, key, pos + 2);
      buf.writeUInt16BE(keyBytes, pos);
      pos += 2 + keyBytes;
      const valueBytes = writeUtf8(buf, value, pos + 4);
      buf.writeInt32BE(valueBytes, pos);
      pos += 4 + valueBytes;
    }
  }
  buf.writeInt32BE(pos - extLengthAt - 4, extLengthAt);
  return pos;
}

/** Bounds are checked by the caller; Buffer's readers would check them again for every field. */
const int32At = (buf: Buffer, at: number): number =>
  (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
const int16At = (buf: Buffer, at: number): number => ((buf[at]! << 24) | (buf[at + 1]! << 16)) >> 16;

function isAsciiRange(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

function bad(what: string): never {
  throw new ProtocolError(`bad ROCKETMQ header: ${what}`);
}

/** Reads the header in buf[start, end) into a command carrying `body`. */
export function decodeRocketmqHeader(
  buf: Buffer,
  start: number,
  end: number,
  body: Uint8Array | undefined,
): RemotingCommand {
  if (end - start < FIXED_SIZE) bad(`${end - start} bytes, at least ${FIXED_SIZE} needed`);
  const code = buf.readInt16BE(start);
  const language = buf.readUInt8(start + 2);
  const version = buf.readInt16BE(start + 3);
  const opaque = buf.readInt32BE(start + 5);
  const flag = buf.readInt32BE(start + 9);
  let pos = start + 13;
  // The header is turned into one latin1 string once and ASCII fields (the usual case) are sliced from it:
  // a UTF-8 decode per key and value costs several times more.
  const text = buf.toString('latin1', start, end);
  const str = (from: number, to: number): string =>
    isAsciiRange(buf, from, to) ? text.slice(from - start, to - start) : buf.toString('utf8', from, to);
  const remarkLength = buf.readInt32BE(pos);
  pos += 4;
  if (remarkLength < 0 || remarkLength > end - pos - 4) bad(`remark length ${remarkLength}`);
  const remark = remarkLength > 0 ? str(pos, pos + remarkLength) : undefined;
  pos += remarkLength;
  const extLength = buf.readInt32BE(pos);
  pos += 4;
  if (extLength < 0 || extLength > end - pos) bad(`extFields length ${extLength}`);
  let extFields: ExtFields | undefined;
  if (extLength > 0) {
    extFields = {};
    const extEnd = pos + extLength;
    while (pos < extEnd) {
      if (extEnd - pos < 2) bad('truncated extFields key length');
      const keyLength = int16At(buf, pos);
      pos += 2;
      if (keyLength < 0 || keyLength > extEnd - pos - 4) bad(`extFields key length ${keyLength}`);
      const key = str(pos, pos + keyLength);
      pos += keyLength;
      const valueLength = int32At(buf, pos);
      pos += 4;
      if (valueLength < 0 || valueLength > extEnd - pos) bad(`extFields value length ${valueLength}`);
      extFields[key] = str(pos, pos + valueLength);
      pos += valueLength;
    }
  }
  return {
    code,
    language,
    version,
    opaque,
    flag,
    remark,
    extFields,
    body,
    serializeType: SerializeType.ROCKETMQ,
  };
}
