import { randomInt } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { addressByteLength, readAddress, writeAddress } from './host-address.js';
import { readLong, writeLong } from './long-field.js';
import type { HostAddress } from './message.js';

/** The broker's msgId: store host + CommitLog offset, upper-case hex (32 chars for IPv4, 56 for IPv6). */
export function createOffsetMsgId(storeHost: HostAddress, physicalOffset: number): string {
  const addressLength = addressByteLength(storeHost.address);
  const buf = Buffer.allocUnsafe(addressLength + 12);
  writeAddress(buf, 0, storeHost.address);
  buf.writeInt32BE(storeHost.port | 0, addressLength);
  writeLong(buf, addressLength + 4, physicalOffset);
  return buf.toString('hex').toUpperCase();
}

export function decodeOffsetMsgId(msgId: string): { host: HostAddress; physicalOffset: number } {
  if ((msgId.length !== 32 && msgId.length !== 56) || !/^[0-9a-fA-F]+$/.test(msgId)) {
    throw new ProtocolError(`not an offset msgId: ${msgId}`);
  }
  const buf = Buffer.from(msgId, 'hex');
  const addressLength = msgId.length === 32 ? 4 : 16;
  return {
    host: { address: readAddress(buf, 0, addressLength), port: buf.readInt32BE(addressLength) },
    physicalOffset: readLong(buf, addressLength + 4),
  };
}

export interface UniqKeyOptions {
  readonly ip?: Buffer;
  readonly pid?: number;
  readonly now?: () => number;
}

/**
 * RocketMQ's MessageClientIDSetter layout: IP(4) + pid(2) + a per-generator random int(4) as a fixed prefix,
 * then the ms since the start of the current month (4) and a counter (2): 32 upper-case hex chars.
 */
export function createUniqKeyGenerator(options: UniqKeyOptions = {}): () => string {
  const now = options.now ?? Date.now;
  const prefix = Buffer.alloc(10);
  (options.ip ?? Buffer.from([127, 0, 0, 1])).copy(prefix, 0, 0, 4);
  prefix.writeUInt16BE((options.pid ?? process.pid) & 0xffff, 4);
  prefix.writeInt32BE(randomInt(0x7fffffff), 6);
  const prefixHex = prefix.toString('hex').toUpperCase();
  const tail = Buffer.alloc(6);
  let counter = randomInt(0xffff);
  let monthStart = 0;
  let nextMonthStart = 0;
  return () => {
    const t = now();
    if (t >= nextMonthStart || t < monthStart) {
      const d = new Date(t);
      monthStart = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
      nextMonthStart = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
    }
    counter = (counter + 1) & 0xffff;
    tail.writeInt32BE((t - monthStart) | 0, 0);
    tail.writeUInt16BE(counter, 4);
    return prefixHex + tail.toString('hex').toUpperCase();
  };
}
