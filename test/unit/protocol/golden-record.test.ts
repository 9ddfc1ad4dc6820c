import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../../src/protocol/message-codec.js';

/**
 * One CommitLog record written out by hand from the documented layout (wire doc §3.1): IPv4 hosts, body "hi",
 * topic "T", properties TAGS=A and KEYS=k. The BODYCRC value is zlib's CRC32 of "hi" masked to 31 bits.
 */
const expected = Buffer.from(
  [
    [0x00, 0x00, 0x00, 0x6b], // TOTALSIZE 107 = 91 fixed + 2 body + 1 topic + 13 properties
    [0xda, 0xa3, 0x20, 0xa7], // MAGICCODE 0xDAA320A7
    [0x58, 0x93, 0x2a, 0xac], // BODYCRC crc32("hi") & 0x7FFFFFFF
    [0x00, 0x00, 0x00, 0x03], // QUEUEID 3
    [0x00, 0x00, 0x00, 0x00], // FLAG 0
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05], // QUEUEOFFSET 5
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00], // PHYSICALOFFSET 4096
    [0x00, 0x00, 0x00, 0x00], // SYSFLAG 0 (IPv4 hosts, not compressed)
    [0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00], // BORNTIMESTAMP 1700000000000
    [0x0a, 0x00, 0x00, 0x01], // BORNHOST address 10.0.0.1
    [0x00, 0x00, 0xc3, 0x50], // BORNHOST port 50000
    [0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b], // STORETIMESTAMP 1700000000123
    [0xc0, 0xa8, 0x00, 0x02], // STOREHOST address 192.168.0.2
    [0x00, 0x00, 0x2a, 0x9f], // STOREHOST port 10911
    [0x00, 0x00, 0x00, 0x01], // RECONSUMETIMES 1
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // PREPAREDTRANSACTIONOFFSET 0
    [0x00, 0x00, 0x00, 0x02], // BODY length 2
    [0x68, 0x69], // BODY "hi"
    [0x01], // TOPIC length 1 (a byte)
    [0x54], // TOPIC "T"
    [0x00, 0x0d], // PROPERTIES length 13 (a short)
    [0x54, 0x41, 0x47, 0x53, 0x01, 0x41], // "TAGS" \u0001 "A"
    [0x02], // property separator \u0002
    [0x4b, 0x45, 0x59, 0x53, 0x01, 0x6b], // "KEYS" \u0001 "k"
  ].flat(),
);

const input = {
  topic: 'T',
  queueId: 3,
  flag: 0,
  body: Buffer.from('hi'),
  properties: 'TAGS\u0001A\u0002KEYS\u0001k',
  sysFlag: 0,
  bornTimestamp: 1700000000000,
  bornHost: { address: '10.0.0.1', port: 50000 },
  storeHost: { address: '192.168.0.2', port: 10911 },
  reconsumeTimes: 1,
  preparedTransactionOffset: 0,
  tagsCode: 0,
};

describe('golden MessageExt record', () => {
  it('encodes byte for byte as documented', () => {
    const actual = encodeRecord(input, {
      physicalOffset: 4096,
      queueOffset: 5,
      storeTimestamp: 1700000000123,
    });
    expect(actual.toString('hex')).toBe(expected.toString('hex'));
  });

  it('decodes every field', () => {
    const m = decodeRecord(expected);
    expect(m).toMatchObject({
      storeSize: 107,
      bodyCRC: 0x58932aac,
      queueId: 3,
      queueOffset: 5,
      commitLogOffset: 4096,
      bornTimestamp: 1700000000000,
      bornHost: { address: '10.0.0.1', port: 50000 },
      storeTimestamp: 1700000000123,
      storeHost: { address: '192.168.0.2', port: 10911 },
      reconsumeTimes: 1,
      topic: 'T',
      msgId: 'C0A8000200002A9F0000000000001000',
    });
    expect(Buffer.from(m.body).toString()).toBe('hi');
    expect(Object.fromEntries(m.properties)).toEqual({ TAGS: 'A', KEYS: 'k' });
  });
});
