import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { consumerIdsNotifier$ } from '../../../../src/broker/managers/consumer-ids-notifier.js';
import { ConsumerManager } from '../../../../src/broker/managers/consumer-manager.js';
import { SubscriptionGroupManager } from '../../../../src/broker/managers/subscription-group-manager.js';
import { silentLogger } from '../../../../src/logger.js';
import type { ConsumerData } from '../../../../src/protocol/headers/client.js';
import { defaultSubscriptionGroupConfig } from '../../../../src/protocol/headers/subscription-group.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir = '';
useTempDir('rxrocket-notify-', (path) => {
  dir = path;
});
let running: Subscription | undefined;
afterEach(() => running?.unsubscribe());

const data = (groupName: string): ConsumerData => ({
  groupName,
  consumeType: 'CONSUME_PASSIVELY',
  messageModel: 'CLUSTERING',
  consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
  unitMode: false,
  subscriptionDataSet: [],
});

const notified = (channel: FakeChannel): string[] =>
  channel.sent
    .filter((r) => r.code === RequestCode.NOTIFY_CONSUMER_IDS_CHANGED)
    .map((r) => r.extFields?.consumerGroup ?? '');

describe('consumerIdsNotifier$', () => {
  const start = async (enabled = true) => {
    const consumers = new ConsumerManager();
    const groups = await SubscriptionGroupManager.load(join(dir, 'groups.json'), true, silentLogger);
    running = consumerIdsNotifier$({ consumers, groups, enabled }).subscribe();
    return { consumers, groups };
  };

  it('tells every member when one joins, leaves or its connection closes', async () => {
    const { consumers } = await start();
    const a = new FakeChannel();
    const b = new FakeChannel();
    consumers.register('a', data('cg'), a, 0);
    expect(notified(a)).toEqual(['cg']);
    consumers.register('b', data('cg'), b, 0);
    expect(notified(a)).toEqual(['cg', 'cg']);
    expect(notified(b)).toEqual(['cg']);
    consumers.register('b', data('cg'), b, 1);
    expect(notified(b)).toEqual(['cg']);
    b.closeNow();
    consumers.removeChannel(b);
    expect(notified(a)).toEqual(['cg', 'cg', 'cg']);
    consumers.unregister('cg', a);
    expect(notified(a)).toEqual(['cg', 'cg', 'cg']);
  });

  it('stays quiet when off for the broker or for the group', async () => {
    const off = await start(false);
    const a = new FakeChannel();
    off.consumers.register('a', data('cg'), a, 0);
    expect(notified(a)).toEqual([]);
    running?.unsubscribe();
    const on = await start();
    await on.groups.upsert({
      ...defaultSubscriptionGroupConfig('quiet'),
      notifyConsumerIdsChangedEnable: false,
    });
    const q = new FakeChannel();
    on.consumers.register('q', data('quiet'), q, 0);
    expect(notified(q)).toEqual([]);
  });
});
