import { describe, expect, it } from 'vitest';
import { suggestWhichBrokerId } from '../../../../src/broker/processor/pull-suggest.js';

const group = { brokerId: 0, whichBrokerWhenConsumeSlowly: 1 };
const GiB = 1024 ** 3;

describe('suggestWhichBrokerId', () => {
  const config = { slaveReadEnable: true, accessMessageInMemoryMaxRatio: 40 };

  it('sends a consumer that reads more than 40 % of memory behind the end to the slave', () => {
    expect(suggestWhichBrokerId({ config, behindBytes: 4 * GiB + 1, group, memoryBytes: 10 * GiB })).toBe(1);
  });

  it("keeps a consumer near the end on the group's broker", () => {
    expect(suggestWhichBrokerId({ config, behindBytes: 4 * GiB, group, memoryBytes: 10 * GiB })).toBe(0);
    expect(
      suggestWhichBrokerId({ config, behindBytes: 0, group: { ...group, brokerId: 2 }, memoryBytes: GiB }),
    ).toBe(2);
  });

  it('always names the master without slaveReadEnable, as RocketMQ 4.x does', () => {
    const off = { ...config, slaveReadEnable: false };
    expect(suggestWhichBrokerId({ config: off, behindBytes: 9 * GiB, group, memoryBytes: GiB })).toBe(0);
  });

  it('follows a configured ratio', () => {
    const ratio = { ...config, accessMessageInMemoryMaxRatio: 10 };
    expect(suggestWhichBrokerId({ config: ratio, behindBytes: GiB + 1, group, memoryBytes: 10 * GiB })).toBe(
      1,
    );
  });
});
