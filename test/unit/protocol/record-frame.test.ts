import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, writeBlank } from '../../../src/protocol/message-codec.js';
import { BLANK_MAGIC, MESSAGE_MAGIC } from '../../../src/protocol/message.js';
import { NoRecord, recordSizeAt } from '../../../src/protocol/record-frame.js';
import { messageOf } from '../../fixtures/store/store-fixture.js';

const POSITION = { physicalOffset: 0, queueOffset: 0, storeTimestamp: 1_700_000_000_000 };

describe('recordSizeAt', () => {
  it('property: a whole record gives its size, any cut of it PARTIAL, wherever it starts', () => {
    fc.assert(
      fc.property(fc.nat(600), fc.nat(64), fc.nat(), (bodyLength, lead, cutSeed) => {
        const record = encodeRecord({ ...messageOf(1), body: Buffer.alloc(bodyLength, 7) }, POSITION);
        const buf = Buffer.concat([Buffer.alloc(lead), record]);
        expect(recordSizeAt(buf, lead, buf.length)).toBe(record.length);
        const cut = lead + (cutSeed % record.length);
        expect(recordSizeAt(buf, lead, cut)).toBe(NoRecord.PARTIAL);
      }),
    );
  });

  it('tells a BLANK filler and bytes that are no record apart', () => {
    const blank = Buffer.alloc(64);
    writeBlank(blank, 0, 64);
    expect(recordSizeAt(blank, 0, 64)).toBe(NoRecord.BLANK);
    expect(recordSizeAt(Buffer.alloc(64), 0, 64)).toBe(NoRecord.NOT_A_RECORD);
    const negative = Buffer.alloc(16);
    negative.writeInt32BE(-5, 0);
    negative.writeInt32BE(MESSAGE_MAGIC, 4);
    expect(recordSizeAt(negative, 0, 16)).toBe(NoRecord.NOT_A_RECORD);
    const blankHeaderOnly = Buffer.alloc(8);
    blankHeaderOnly.writeInt32BE(4096, 0);
    blankHeaderOnly.writeInt32BE(BLANK_MAGIC, 4);
    expect(recordSizeAt(blankHeaderOnly, 0, 8)).toBe(NoRecord.BLANK);
  });
});
