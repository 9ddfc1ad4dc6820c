import { describe, expect, it } from 'vitest';
import { buildBatch, buildWireMessage } from '../../../src/client/message-builder.js';
import { decodeProperties } from '../../../src/protocol/properties.js';

const propsOf = (properties: string): Map<string, string> => decodeProperties(properties);

describe('message builder: delayed and timed messages', () => {
  it('sends a delay level as DELAY and a delivery time as TIMER_DELIVER_MS', () => {
    expect(
      propsOf(buildWireMessage({ topic: 'T', body: 'x', delayLevel: 3 }, 'k').properties).get('DELAY'),
    ).toBe('3');
    const at = 1_800_000_000_123;
    for (const deliverAt of [at, new Date(at)]) {
      const props = propsOf(buildWireMessage({ topic: 'T', body: 'x', deliverAt }, 'k').properties);
      expect(props.get('TIMER_DELIVER_MS')).toBe(String(at));
      expect(props.has('DELAY')).toBe(false);
    }
  });

  it('refuses a bad delivery time, one next to a delay level, and one in a batch', () => {
    expect(() => buildWireMessage({ topic: 'T', body: 'x', deliverAt: 1.5 }, 'k')).toThrow(
      /epoch milliseconds/,
    );
    expect(() => buildWireMessage({ topic: 'T', body: 'x', deliverAt: new Date(Number.NaN) }, 'k')).toThrow(
      /epoch milliseconds/,
    );
    expect(() => buildWireMessage({ topic: 'T', body: 'x', deliverAt: 1, delayLevel: 2 }, 'k')).toThrow(
      /not both/,
    );
    let n = 0;
    expect(() => buildBatch([{ topic: 'T', body: 'x', deliverAt: 1 }], () => String(n++))).toThrow(
      /delivery time/,
    );
  });
});

describe('message builder: transactional messages', () => {
  it("marks a half message's sysFlag TRANSACTION_PREPARED, as RocketMQ's client does", () => {
    const half = buildWireMessage(
      { topic: 'T', body: 'x', properties: { TRAN_MSG: 'true', PGROUP: 'pg' } },
      'k',
    );
    expect(half.sysFlag & 0xc).toBe(0x4);
    expect(buildWireMessage({ topic: 'T', body: 'x' }, 'k').sysFlag & 0xc).toBe(0);
  });
});
