import type { Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { HostAddress } from '../protocol/message.js';

/** "host:port", "[v6]:port" or "v6addr:port" (last colon) into a HostAddress. */
export function parseHostAddress(text: string): HostAddress {
  const bracket = /^\[(.+)\]:(\d+)$/.exec(text);
  if (bracket?.[1] !== undefined) return { address: bracket[1], port: Number(bracket[2]) };
  const at = text.lastIndexOf(':');
  if (at <= 0) throw new RangeError(`not a host:port address: "${text}"`);
  const port = Number(text.slice(at + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port in "${text}"`);
  return { address: text.slice(0, at), port };
}

export function formatAddress(host: HostAddress): string {
  return isIPv6(host.address) ? `[${host.address}]:${host.port}` : `${host.address}:${host.port}`;
}

/** IPv4-mapped IPv6 peers ("::ffff:1.2.3.4") are written as plain IPv4, as RocketMQ clients expect. */
const unmap = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

export const remoteAddressOf = (socket: Socket): string =>
  formatAddress({ address: unmap(socket.remoteAddress ?? '0.0.0.0'), port: socket.remotePort ?? 0 });

export const localAddressOf = (socket: Socket): string =>
  formatAddress({ address: unmap(socket.localAddress ?? '0.0.0.0'), port: socket.localPort ?? 0 });
