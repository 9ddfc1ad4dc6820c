import type { Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { HostAddress } from '../protocol/message.js';

const PORT = /^\d{1,5}$/;

/**
 * "host:port", "[v6]:port" or "v6addr:port" into a HostAddress. Unbracketed IPv6 splits at the last colon,
 * as RocketMQ's own address parsing does (brokers register "::1:10911"-style addresses that way).
 */
export function parseHostAddress(text: string): HostAddress {
  const bracket = /^\[([^\]]+)\]:([^:]*)$/.exec(text);
  const at = text.lastIndexOf(':');
  const host = bracket === null ? text.slice(0, at) : (bracket[1] ?? '');
  const portText = bracket === null ? text.slice(at + 1) : (bracket[2] ?? '');
  if ((bracket === null && at <= 0) || host === '')
    throw new RangeError(`not a host:port address: "${text}"`);
  const port = Number(portText);
  if (!PORT.test(portText) || port > 65535) throw new RangeError(`bad port in "${text}"`);
  return { address: host, port };
}

export function formatAddress(host: HostAddress): string {
  return isIPv6(host.address) ? `[${host.address}]:${host.port}` : `${host.address}:${host.port}`;
}

/** IPv4-mapped IPv6 peers ("::ffff:1.2.3.4") are written as plain IPv4, as RocketMQ clients expect. */
const unmap = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

/** The peer's end of a socket; a socket that never connected (or is gone) reads as 0.0.0.0:0. */
export const remoteHostOf = (socket: Socket): HostAddress => ({
  address: unmap(socket.remoteAddress ?? '0.0.0.0'),
  port: socket.remotePort ?? 0,
});

export const localHostOf = (socket: Socket): HostAddress => ({
  address: unmap(socket.localAddress ?? '0.0.0.0'),
  port: socket.localPort ?? 0,
});

export const remoteAddressOf = (socket: Socket): string => formatAddress(remoteHostOf(socket));

export const localAddressOf = (socket: Socket): string => formatAddress(localHostOf(socket));
