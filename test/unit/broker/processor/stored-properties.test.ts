import { describe, expect, it } from 'vitest';
import {
  storedBatchEntryProperties,
  storedProperties,
} from '../../../../src/broker/processor/stored-properties.js';
import { decodeProperties } from '../../../../src/protocol/properties.js';

const key = () => 'GENERATED';
const stored = (sent: string) => Object.fromEntries(decodeProperties(storedProperties(sent, 'C1', key)));

describe('storedProperties', () => {
  it('appends CLUSTER to the string as sent, old clients\u2019 trailing separator included', () => {
    expect(storedProperties('UNIQ_KEY\u0001K\u0002TAGS\u0001A', 'C1', key)).toBe(
      'UNIQ_KEY\u0001K\u0002TAGS\u0001A\u0002CLUSTER\u0001C1',
    );
    expect(storedProperties('UNIQ_KEY\u0001K\u0002', 'C1', key)).toBe('UNIQ_KEY\u0001K\u0002CLUSTER\u0001C1');
  });

  it('drops WAIT wherever it sits, keeping the rest', () => {
    expect(storedProperties('WAIT\u0001true\u0002UNIQ_KEY\u0001K\u0002TAGS\u0001A', 'C1', key)).toBe(
      'UNIQ_KEY\u0001K\u0002TAGS\u0001A\u0002CLUSTER\u0001C1',
    );
    expect(stored('UNIQ_KEY\u0001K\u0002WAIT\u0001false')).toEqual({ UNIQ_KEY: 'K', CLUSTER: 'C1' });
  });

  it('replaces a CLUSTER the client sent and gives a message without UNIQ_KEY one', () => {
    expect(stored('CLUSTER\u0001theirs\u0002UNIQ_KEY\u0001K')).toEqual({ CLUSTER: 'C1', UNIQ_KEY: 'K' });
    expect(stored('')).toEqual({ CLUSTER: 'C1', UNIQ_KEY: 'GENERATED' });
    expect(stored('UNIQ_KEY\u0001')).toEqual({ CLUSTER: 'C1', UNIQ_KEY: 'GENERATED' });
  });
});

describe('storedBatchEntryProperties', () => {
  it('adds the batch properties a message lacks; its own win, except CLUSTER', () => {
    const own = new Map([
      ['UNIQ_KEY', 'MINE'],
      ['WAIT', 'false'],
      ['CLUSTER', 'theirs'],
    ]);
    const batch = new Map([
      ['UNIQ_KEY', 'BATCH'],
      ['WAIT', 'true'],
      ['CLUSTER', 'C1'],
      ['X', 'y'],
    ]);
    expect(Object.fromEntries(decodeProperties(storedBatchEntryProperties(own, batch, key)))).toEqual({
      UNIQ_KEY: 'MINE',
      WAIT: 'false',
      CLUSTER: 'C1',
      X: 'y',
    });
  });
});
