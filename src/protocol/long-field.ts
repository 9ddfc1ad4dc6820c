/** Java longs as JS numbers: a fast path for the non-negative safe range offsets and timestamps live in. */
const TWO_32 = 4294967296;

export function writeLong(buf: Buffer, offset: number, n: number): void {
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) {
    buf.writeUInt32BE(Math.floor(n / TWO_32), offset);
    buf.writeUInt32BE(n >>> 0, offset + 4);
  } else {
    buf.writeBigInt64BE(BigInt(Math.trunc(n)), offset);
  }
}

export function readLong(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}
