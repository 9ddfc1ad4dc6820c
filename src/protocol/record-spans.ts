import { ProtocolError } from '../errors.js';
import { MESSAGE_MAGIC, SysFlag } from './message.js';

/** Offsets of the variable-position fields of the record at `offset`, bounds-checked against `end`. */
export interface Spans {
  readonly size: number;
  readonly sysFlag: number;
  readonly bornHostAt: number;
  readonly storeTimestampAt: number;
  readonly storeHostAt: number;
  readonly reconsumeAt: number;
  readonly bodyAt: number;
  readonly bodyLength: number;
  readonly topicAt: number;
  readonly topicLength: number;
  readonly propsAt: number;
  readonly propsLength: number;
}

export function spans(buf: Buffer, offset: number, end: number): Spans {
  if (offset + 48 > end) throw new ProtocolError(`record at ${offset} is truncated in its fixed header`);
  const size = buf.readInt32BE(offset);
  if (buf.readInt32BE(offset + 4) !== MESSAGE_MAGIC)
    throw new ProtocolError(`record at ${offset} has a bad magic code`);
  if (size < 91 || offset + size > end)
    throw new ProtocolError(`record at ${offset} has an impossible size ${size}`);
  const recordEnd = offset + size;
  const sysFlag = buf.readInt32BE(offset + 36);
  const bornHostAt = offset + 48;
  const storeTimestampAt = bornHostAt + ((sysFlag & SysFlag.BORNHOST_V6) !== 0 ? 20 : 8);
  const storeHostAt = storeTimestampAt + 8;
  const reconsumeAt = storeHostAt + ((sysFlag & SysFlag.STOREHOST_V6) !== 0 ? 20 : 8);
  const bodyLengthAt = reconsumeAt + 12;
  if (bodyLengthAt + 4 > recordEnd) throw new ProtocolError(`record at ${offset} is too short for its hosts`);
  const bodyLength = buf.readInt32BE(bodyLengthAt);
  const bodyAt = bodyLengthAt + 4;
  if (bodyLength < 0 || bodyAt + bodyLength + 1 > recordEnd)
    throw new ProtocolError(`record at ${offset} has a bad body length`);
  const topicAt = bodyAt + bodyLength + 1;
  const topicLength = buf[topicAt - 1] ?? 0;
  if (topicAt + topicLength + 2 > recordEnd)
    throw new ProtocolError(`record at ${offset} has a bad topic length`);
  const propsAt = topicAt + topicLength + 2;
  const propsLength = buf.readInt16BE(propsAt - 2);
  if (propsLength < 0 || propsAt + propsLength !== recordEnd) {
    throw new ProtocolError(`record at ${offset} has a size that does not match its fields`);
  }
  return {
    size,
    sysFlag,
    bornHostAt,
    storeTimestampAt,
    storeHostAt,
    reconsumeAt,
    bodyAt,
    bodyLength,
    topicAt,
    topicLength,
    propsAt,
    propsLength,
  };
}
