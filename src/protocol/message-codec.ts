import { crc32 } from 'node:zlib';
import { addressByteLength, readHost, writeHost } from './host-address.js';
import { readLong, writeLong } from './long-field.js';
import {
  BLANK_MAGIC,
  type HostAddress,
  MESSAGE_MAGIC,
  type MessageExt,
  type MessageRecordInput,
  type StoredPosition,
  SysFlag,
} from './message.js';
import { MessageIllegalError } from './message-illegal-error.js';
import { createOffsetMsgId } from './msg-id.js';
import { decodeProperties } from './properties.js';
import { spans } from './record-spans.js';

// The store and the processors read records through this module, as they write them.
export { type DispatchInfo, type RecordInfo, readDispatchInfo } from './record-dispatch-info.js';

/** Field offsets of a record whose born and store hosts are IPv4 (the common case). */
export const RecordLayout = {
  TOTAL_SIZE: 0,
  MAGIC: 4,
  BODY_CRC: 8,
  QUEUE_ID: 12,
  FLAG: 16,
  QUEUE_OFFSET: 20,
  PHYSICAL_OFFSET: 28,
  SYS_FLAG: 36,
  BORN_TIMESTAMP: 40,
  BORN_HOST: 48,
  /** Bytes of a record beyond its body, topic, properties and the two host fields. */
  FIXED_WITHOUT_HOSTS: 75,
} as const;

export const MAX_TOPIC_BYTES = 127;
export const MAX_PROPERTIES_BYTES = 32767;

/** Everything about a record that does not depend on where it lands: computed outside the put lock. */
export interface PreparedRecord {
  readonly length: number;
  readonly input: MessageRecordInput;
  /** UTF-8 byte lengths: the strings are written straight into the record, never copied through a Buffer. */
  readonly topicLength: number;
  readonly propertiesLength: number;
  readonly bodyCrc: number;
  readonly sysFlag: number;
}

export const bodyCrc = (body: Uint8Array): number => crc32(body) & 0x7fffffff;

export function recordLength(
  bornHostLength: number,
  storeHostLength: number,
  body: number,
  topic: number,
  props: number,
): number {
  return RecordLayout.FIXED_WITHOUT_HOSTS + bornHostLength + storeHostLength + body + topic + props;
}

export function prepareRecord(input: MessageRecordInput): PreparedRecord {
  const topicLength = Buffer.byteLength(input.topic, 'utf8');
  if (topicLength > MAX_TOPIC_BYTES) {
    throw new MessageIllegalError(`topic of ${topicLength} bytes exceeds ${MAX_TOPIC_BYTES}`);
  }
  const propertiesLength = Buffer.byteLength(input.properties, 'utf8');
  if (propertiesLength > MAX_PROPERTIES_BYTES) {
    throw new MessageIllegalError(`properties of ${propertiesLength} bytes exceed ${MAX_PROPERTIES_BYTES}`);
  }
  const bornLength = addressByteLength(input.bornHost.address) + 4;
  const storeLength = addressByteLength(input.storeHost.address) + 4;
  let sysFlag = input.sysFlag & ~(SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6);
  if (bornLength === 20) sysFlag |= SysFlag.BORNHOST_V6;
  if (storeLength === 20) sysFlag |= SysFlag.STOREHOST_V6;
  return {
    length: recordLength(bornLength, storeLength, input.body.length, topicLength, propertiesLength),
    input,
    topicLength,
    propertiesLength,
    bodyCrc: bodyCrc(input.body),
    sysFlag,
  };
}

export function writeRecord(
  target: Buffer,
  offset: number,
  record: PreparedRecord,
  position: StoredPosition,
): void {
  const { input } = record;
  let p = offset;
  target.writeInt32BE(record.length, p);
  target.writeInt32BE(MESSAGE_MAGIC, p + 4);
  target.writeInt32BE(record.bodyCrc, p + 8);
  target.writeInt32BE(input.queueId, p + 12);
  target.writeInt32BE(input.flag | 0, p + 16);
  writeLong(target, p + 20, position.queueOffset);
  writeLong(target, p + 28, position.physicalOffset);
  target.writeInt32BE(record.sysFlag, p + 36);
  writeLong(target, p + 40, input.bornTimestamp);
  p += 48;
  p += writeHost(target, p, input.bornHost);
  writeLong(target, p, position.storeTimestamp);
  p += 8;
  p += writeHost(target, p, input.storeHost);
  target.writeInt32BE(input.reconsumeTimes, p);
  writeLong(target, p + 4, input.preparedTransactionOffset);
  target.writeInt32BE(input.body.length, p + 12);
  p += 16;
  target.set(input.body, p);
  p += input.body.length;
  target[p++] = record.topicLength;
  p += target.write(input.topic, p, record.topicLength, 'utf8');
  target.writeInt16BE(record.propertiesLength, p);
  target.write(input.properties, p + 2, record.propertiesLength, 'utf8');
}

export function encodeRecord(input: MessageRecordInput, position: StoredPosition): Buffer {
  const record = prepareRecord(input);
  const buf = Buffer.allocUnsafe(record.length);
  writeRecord(buf, 0, record, position);
  return buf;
}

/** END_OF_FILE filler: its length and the BLANK magic; the rest of the segment is left as it is. */
export function writeBlank(target: Buffer, offset: number, length: number): void {
  target.writeInt32BE(length, offset);
  target.writeInt32BE(BLANK_MAGIC, offset + 4);
}

export function decodeRecord(buf: Buffer, offset = 0): MessageExt {
  const s = spans(buf, offset, buf.length);
  const storeHost: HostAddress = readHost(buf, s.storeHostAt, (s.sysFlag & SysFlag.STOREHOST_V6) !== 0);
  const commitLogOffset = readLong(buf, offset + 28);
  return {
    storeSize: s.size,
    bodyCRC: buf.readInt32BE(offset + 8),
    queueId: buf.readInt32BE(offset + 12),
    flag: buf.readInt32BE(offset + 16),
    queueOffset: readLong(buf, offset + 20),
    commitLogOffset,
    sysFlag: s.sysFlag,
    bornTimestamp: readLong(buf, offset + 40),
    bornHost: readHost(buf, s.bornHostAt, (s.sysFlag & SysFlag.BORNHOST_V6) !== 0),
    storeTimestamp: readLong(buf, s.storeTimestampAt),
    storeHost,
    reconsumeTimes: buf.readInt32BE(s.reconsumeAt),
    preparedTransactionOffset: readLong(buf, s.reconsumeAt + 4),
    body: buf.subarray(s.bodyAt, s.bodyAt + s.bodyLength),
    topic: buf.toString('utf8', s.topicAt, s.topicAt + s.topicLength),
    properties: decodeProperties(buf.toString('utf8', s.propsAt, s.propsAt + s.propsLength)),
    msgId: createOffsetMsgId(storeHost, commitLogOffset),
  };
}

/** A pull body: records back to back. */
export function decodeRecords(buf: Buffer): MessageExt[] {
  const messages: MessageExt[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const message = decodeRecord(buf, offset);
    messages.push(message);
    offset += message.storeSize;
  }
  return messages;
}

export type RecordCheck =
  | { readonly kind: 'message'; readonly size: number }
  | { readonly kind: 'blank'; readonly size: number }
  | { readonly kind: 'end' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * Recovery's check of the bytes at `offset` (RocketMQ's checkMessageAndReturnSize): an all-zero header is the
 * clean end of written data; anything else must be a whole, self-consistent record or a BLANK filler.
 */
export function checkRecord(
  buf: Buffer,
  offset: number,
  available: number,
  options: { readonly checkCrc: boolean },
): RecordCheck {
  const end = Math.min(buf.length, offset + available);
  if (end - offset < 8)
    return end - offset <= 0 || buf.subarray(offset, end).every((b) => b === 0)
      ? { kind: 'end' }
      : { kind: 'corrupt', reason: 'truncated header' };
  const size = buf.readInt32BE(offset);
  const magic = buf.readInt32BE(offset + 4);
  if (size === 0 && magic === 0) return { kind: 'end' };
  if (magic === BLANK_MAGIC)
    return size >= 8 ? { kind: 'blank', size } : { kind: 'corrupt', reason: `blank of size ${size}` };
  try {
    const s = spans(buf, offset, end);
    if (
      options.checkCrc &&
      bodyCrc(buf.subarray(s.bodyAt, s.bodyAt + s.bodyLength)) !== buf.readInt32BE(offset + 8)
    ) {
      return { kind: 'corrupt', reason: 'body CRC mismatch' };
    }
    return { kind: 'message', size: s.size };
  } catch (error) {
    return { kind: 'corrupt', reason: error instanceof Error ? error.message : String(error) };
  }
}
