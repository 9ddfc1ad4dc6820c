import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { type MessageRecordInput, SysFlag } from '../../../src/protocol/message.js';
import {
  checkRecord,
  decodeRecord,
  decodeRecords,
  encodeRecord,
  prepareRecord,
  readDispatchInfo,
  writeBlank,
} from '../../../src/protocol/message-codec.js';
import { MessageIllegalError } from '../../../src/protocol/message-illegal-error.js';
import { decodeProperties, encodeProperties, propertyValue } from '../../../src/protocol/properties.js';
import { javaStringHashCode } from '../../../src/protocol/java-hash.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6().map((a) => a);
const host = fc.record({ address: fc.oneof(ipv4, ipv6), port: fc.nat(65535) });
const topic = fc.stringMatching(/^[%|a-zA-Z0-9_-]{1,127}$/);
const propName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const propValue = fc.string({ maxLength: 20 }).filter((s) => !s.includes('\u0001') && !s.includes('\u0002'));
const props = fc.dictionary(propName, propValue, { maxKeys: 5 });
const long = fc.integer({ min: 0, max: 2 ** 50 });

const input: fc.Arbitrary<MessageRecordInput> = fc.record({
  topic,
  queueId: fc.nat(1023),
  flag: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  body: fc.uint8Array({ maxLength: 4096 }),
  properties: props.map(encodeProperties),
  sysFlag: fc.constantFrom(
    0,
    SysFlag.COMPRESSED | SysFlag.COMPRESSION_ZLIB,
    SysFlag.MULTI_TAGS,
    SysFlag.TRANSACTION_PREPARED_TYPE,
    SysFlag.TRANSACTION_COMMIT_TYPE,
  ),
  bornTimestamp: long,
  bornHost: host,
  storeHost: host,
  reconsumeTimes: fc.nat(100),
  preparedTransactionOffset: long,
  tagsCode: fc.constant(0),
});
const position = fc.record({ physicalOffset: long, queueOffset: long, storeTimestamp: long });
const sameAddress = (a: string, b: string): boolean => Buffer.compare(addr(a), addr(b)) === 0;
const addr = (a: string): Buffer =>
  encodeRecord(
    {
      topic: 'x',
      queueId: 0,
      flag: 0,
      body: new Uint8Array(),
      properties: '',
      sysFlag: 0,
      bornTimestamp: 0,
      bornHost: { address: a, port: 0 },
      storeHost: { address: '1.1.1.1', port: 0 },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      tagsCode: 0,
    },
    { physicalOffset: 0, queueOffset: 0, storeTimestamp: 0 },
  ).subarray(48, 48 + (a.includes(':') ? 16 : 4));

describe('message record codec', () => {
  it('round-trips every field, IPv4 and IPv6 hosts', () => {
    fc.assert(
      fc.property(input, position, (i, pos) => {
        const m = decodeRecord(encodeRecord(i, pos));
        expect(m.topic).toBe(i.topic);
        expect(m.queueId).toBe(i.queueId);
        expect(m.flag).toBe(i.flag);
        expect(Buffer.from(m.body).equals(Buffer.from(i.body))).toBe(true);
        expect(encodeProperties(m.properties)).toBe(i.properties);
        expect(m.sysFlag & ~(SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6)).toBe(i.sysFlag);
        expect(m.bornTimestamp).toBe(i.bornTimestamp);
        expect(m.storeTimestamp).toBe(pos.storeTimestamp);
        expect(m.queueOffset).toBe(pos.queueOffset);
        expect(m.commitLogOffset).toBe(pos.physicalOffset);
        expect(m.reconsumeTimes).toBe(i.reconsumeTimes);
        expect(m.preparedTransactionOffset).toBe(i.preparedTransactionOffset);
        expect(m.bornHost.port).toBe(i.bornHost.port);
        expect(sameAddress(m.bornHost.address, i.bornHost.address)).toBe(true);
        expect(sameAddress(m.storeHost.address, i.storeHost.address)).toBe(true);
        expect((m.sysFlag & SysFlag.BORNHOST_V6) !== 0).toBe(i.bornHost.address.includes(':'));
        const check = checkRecord(encodeRecord(i, pos), 0, m.storeSize, { checkCrc: true });
        expect(check).toEqual({ kind: 'message', size: m.storeSize });
      }),
      { numRuns: 300 },
    );
  });

  it('decodes records back to back and gives reput its fields', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(input, position), { minLength: 1, maxLength: 8 }), (pairs) => {
        const buf = Buffer.concat(pairs.map(([i, p]) => encodeRecord(i, p)));
        const decoded = decodeRecords(buf);
        expect(decoded.map((m) => m.topic)).toEqual(pairs.map(([i]) => i.topic));
        const info = readDispatchInfo(buf, 0);
        const [first, pos] = pairs[0]!;
        expect(info).toMatchObject({
          topic: first.topic,
          queueId: first.queueId,
          queueOffset: pos.queueOffset,
          physicalOffset: pos.physicalOffset,
        });
        const tags = decodeProperties(info.propertiesText).get('TAGS');
        expect(propertyValue(info.propertiesText, 'TAGS')).toBe(tags);
        expect(info.tagsCode).toBe(tags === undefined ? 0 : javaStringHashCode(tags));
      }),
      { numRuns: 100 },
    );
  });

  it('random bytes and truncations give a record or a ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(input, position, fc.nat(), fc.uint8Array({ maxLength: 300 }), (i, pos, cut, noise) => {
        const whole = encodeRecord(i, pos);
        for (const bytes of [
          whole.subarray(0, cut % whole.length),
          Buffer.from(noise),
          Buffer.concat([whole.subarray(0, 48), Buffer.from(noise)]),
        ]) {
          try {
            decodeRecord(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
          const check = checkRecord(bytes, 0, bytes.length, { checkCrc: true });
          expect(['message', 'blank', 'end', 'corrupt']).toContain(check.kind);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('recovery check tells clean end, blank, torn record and CRC damage apart', () => {
    const rec = encodeRecord(
      {
        topic: 'T',
        queueId: 0,
        flag: 0,
        body: Buffer.from('abc'),
        properties: '',
        sysFlag: 0,
        bornTimestamp: 1,
        bornHost: { address: '1.2.3.4', port: 1 },
        storeHost: { address: '1.2.3.4', port: 2 },
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        tagsCode: 0,
      },
      { physicalOffset: 0, queueOffset: 0, storeTimestamp: 2 },
    );
    expect(checkRecord(Buffer.alloc(64), 0, 64, { checkCrc: true })).toEqual({ kind: 'end' });
    const blank = Buffer.alloc(16);
    writeBlank(blank, 0, 16);
    expect(checkRecord(blank, 0, 16, { checkCrc: true })).toEqual({ kind: 'blank', size: 16 });
    expect(checkRecord(rec, 0, rec.length - 1, { checkCrc: true }).kind).toBe('corrupt');
    const bodyDamaged = Buffer.from(rec);
    bodyDamaged.writeUInt8(bodyDamaged.readUInt8(88) ^ 0xff, 88);
    expect(checkRecord(bodyDamaged, 0, rec.length, { checkCrc: true })).toEqual({
      kind: 'corrupt',
      reason: 'body CRC mismatch',
    });
    expect(checkRecord(bodyDamaged, 0, rec.length, { checkCrc: false }).kind).toBe('message');
  });

  it('refuses topics over 127 bytes and properties over 32767 bytes', () => {
    const base = {
      queueId: 0,
      flag: 0,
      body: new Uint8Array(),
      sysFlag: 0,
      bornTimestamp: 0,
      bornHost: { address: '1.1.1.1', port: 1 },
      storeHost: { address: '1.1.1.1', port: 1 },
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      tagsCode: 0,
    };
    expect(() => prepareRecord({ ...base, topic: 'x'.repeat(128), properties: '' })).toThrow(
      MessageIllegalError,
    );
    expect(() => prepareRecord({ ...base, topic: 'x', properties: 'a\u0001' + 'v'.repeat(32767) })).toThrow(
      MessageIllegalError,
    );
  });
});
