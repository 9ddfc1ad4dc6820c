import { deflateSync, inflateSync } from 'node:zlib';
import { ProtocolError } from '../errors.js';
import { SysFlag } from './message.js';

/** zlib stream as Java's Deflater writes it (level 5 is RocketMQ's compressLevel default). */
export function compressBody(body: Uint8Array, level = 5): Uint8Array {
  return deflateSync(body, { level });
}

/** The body a consumer sees: inflated when COMPRESSED is set (type bits 0 and ZLIB both mean zlib). */
export function decompressBody(body: Uint8Array, sysFlag: number): Uint8Array {
  if ((sysFlag & SysFlag.COMPRESSED) === 0) return body;
  const type = sysFlag & SysFlag.COMPRESSION_TYPE_MASK;
  if (type !== 0 && type !== SysFlag.COMPRESSION_ZLIB) {
    throw new ProtocolError(`unsupported compression type 0x${type.toString(16)} (only zlib)`);
  }
  try {
    return inflateSync(body);
  } catch (error) {
    throw new ProtocolError('compressed body does not inflate', { cause: error });
  }
}
