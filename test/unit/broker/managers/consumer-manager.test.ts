import { describe, expect, it } from 'vitest';
import {
  ConsumerManager,
  type ConsumerGroupEvent,
} from '../../../../src/broker/managers/consumer-manager.js';
import type { ConsumerData } from '../../../../src/protocol/headers/client.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const consumerData = (subString = '*', subVersion = 1): ConsumerData => ({
  groupName: 'CG',
  consumeType: 'CONSUME_PASSIVELY',
  messageModel: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  unitMode: false,
  subscriptionDataSet: [
    {
      classFilterMode: false,
      topic: 'T',
      subString,
      tagsSet: [],
      codeSet: [],
      subVersion,
      expressionType: 'TAG',
    },
  ],
});

const recording = (manager: ConsumerManager): ConsumerGroupEvent[] => {
  const events: ConsumerGroupEvent[] = [];
  manager.changes$.subscribe((e) => events.push(e));
  return events;
};

describe('ConsumerManager', () => {
  it('tracks members and tells when one joins, and not on a plain heartbeat', () => {
    const manager = new ConsumerManager();
    const events = recording(manager);
    const a = new FakeChannel();
    const b = new FakeChannel();
    manager.register('ip@a', consumerData(), a, 0);
    manager.register('ip@a', consumerData(), a, 10);
    manager.register('ip@b', consumerData(), b, 10);
    expect(manager.clientIds('CG').sort()).toEqual(['ip@a', 'ip@b']);
    expect(events).toEqual([
      { kind: 'joined', group: 'CG' },
      { kind: 'joined', group: 'CG' },
    ]);
  });

  it('a closed channel leaves the group', () => {
    const manager = new ConsumerManager();
    const events = recording(manager);
    const a = new FakeChannel();
    manager.register('ip@a', consumerData(), a, 0);
    manager.removeChannel(a);
    expect(manager.clientIds('CG')).toEqual([]);
    expect(manager.group('CG')).toBeUndefined();
    expect(events.at(-1)).toEqual({ kind: 'left', group: 'CG' });
  });

  it('a newer subscription version replaces the expression and is announced', () => {
    const manager = new ConsumerManager();
    const events = recording(manager);
    const a = new FakeChannel();
    manager.register('ip@a', consumerData('TagA', 1), a, 0);
    manager.register('ip@a', consumerData('TagB', 2), a, 1);
    manager.register('ip@a', consumerData('TagC', 1), a, 2);
    expect(manager.subscription('CG', 'T')?.subString).toBe('TagB');
    expect(events.map((e) => e.kind)).toEqual(['joined', 'subscriptions']);
  });

  it('expires members silent for two minutes', () => {
    const manager = new ConsumerManager();
    manager.register('ip@a', consumerData(), new FakeChannel(), 0);
    manager.register('ip@b', consumerData(), new FakeChannel(), 100_000);
    expect(manager.scanExpired(120_001)).toBe(1);
    expect(manager.clientIds('CG')).toEqual(['ip@b']);
  });
});
