import { isIPv6 } from 'node:net';
import { ProtocolError } from '../errors.js';
import type { HostAddress } from './message.js';

/**
 * Bytes an address takes in a record or msgId: 4 (IPv4) or 16 (IPv6). Every put encodes two hosts, so IPv4
 * (never a colon) skips the IPv6 regular expression.
 */
export const addressByteLength = (address: string): number =>
  address.includes(':') && isIPv6(address) ? 16 : 4;

export function writeAddress(buf: Buffer, offset: number, address: string): number {
  if (address.includes(':') && isIPv6(address)) {
    const groups = expandIPv6(address);
    for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i] ?? 0, offset + i * 2);
    return 16;
  }
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= address.length; i++) {
    const c = i < address.length ? address.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3)
        throw new ProtocolError(`not an IPv4 or IPv6 address: ${address}`);
      buf[offset + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      throw new ProtocolError(`not an IPv4 or IPv6 address: ${address}`);
    }
  }
  if (part !== 4) throw new ProtocolError(`not an IPv4 or IPv6 address: ${address}`);
  return 4;
}

export function readAddress(buf: Buffer, offset: number, length: 4 | 16): string {
  if (length === 4) return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + i * 2).toString(16));
  return compressIPv6(groups);
}

export function writeHost(buf: Buffer, offset: number, host: HostAddress): number {
  const n = writeAddress(buf, offset, host.address);
  buf.writeInt32BE(host.port | 0, offset + n);
  return n + 4;
}

export function readHost(buf: Buffer, offset: number, v6: boolean): HostAddress {
  const length = v6 ? 16 : 4;
  return { address: readAddress(buf, offset, length), port: buf.readInt32BE(offset + length) };
}

function expandIPv6(address: string): number[] {
  const zone = address.indexOf('%');
  // "::ffff:1.2.3.4" becomes "::ffff:102:304" so one expansion handles both notations.
  const text = (zone >= 0 ? address.slice(0, zone) : address).replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string, d: string) =>
      `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const [head = '', rest] = text.split('::');
  const parse = (s: string): number[] => (s.length === 0 ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
}

function compressIPv6(groups: readonly string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}
