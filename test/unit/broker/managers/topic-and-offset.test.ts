import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsumerOffsetManager } from '../../../../src/broker/managers/consumer-offset-manager.js';
import { Perm } from '../../../../src/broker/managers/topic-config.js';
import {
  TopicConfigManager,
  type TopicConfigManagerOptions,
} from '../../../../src/broker/managers/topic-config-manager.js';
import { silentLogger } from '../../../../src/logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-managers-', (path) => {
  dir = path;
});

const topicOptions = (autoCreateTopicEnable: boolean): TopicConfigManagerOptions => ({
  path: join(dir, 'topics.json'),
  brokerClusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  autoCreateTopicEnable,
  defaultTopicQueueNums: 8,
  delayLevelCount: 18,
  logger: silentLogger,
});

describe('TopicConfigManager', () => {
  it('auto-creates from TBW102 with min(client, default) queues, without the inherit bit', async () => {
    const topics = await TopicConfigManager.load(topicOptions(true));
    const created = await topics.createInSendMessage('Orders', 'TBW102', 4, 0);
    expect(created).toMatchObject({
      topicName: 'Orders',
      writeQueueNums: 4,
      readQueueNums: 4,
      perm: Perm.READ | Perm.WRITE,
    });
    const versions: number[] = [];
    topics.changed$.subscribe(() => versions.push(topics.dataVersion.counter));
    await topics.createInSendMessage('Big', 'TBW102', 64, 0);
    expect(topics.get('Big')?.writeQueueNums).toBe(8);
    expect(versions).toHaveLength(1);
  });

  it('refuses auto-creation when it is off', async () => {
    const topics = await TopicConfigManager.load(topicOptions(false));
    expect(await topics.createInSendMessage('Orders', 'TBW102', 4, 0)).toBeUndefined();
    expect(topics.get('Orders')).toBeUndefined();
  });

  it('keeps topics across a restart, and turning auto-create off takes effect on restart', async () => {
    const first = await TopicConfigManager.load(topicOptions(true));
    await first.createInSendMessage('Orders', 'TBW102', 4, 0);
    first.close();
    const second = await TopicConfigManager.load(topicOptions(false));
    expect(second.get('Orders')?.writeQueueNums).toBe(4);
    expect((second.get('TBW102')?.perm ?? 0) & Perm.INHERIT).toBe(0);
  });
});

describe('ConsumerOffsetManager', () => {
  it('commits, ignores -1, persists and reloads', async () => {
    const path = join(dir, 'consumerOffset.json');
    const offsets = await ConsumerOffsetManager.load(path, silentLogger);
    expect(offsets.queryOffset('CG', 'T', 0)).toBe(-1);
    offsets.commitOffset('CG', 'T', 0, 12);
    offsets.commitOffset('CG', 'T', 0, -1);
    offsets.commitOffset('CG', 'T', 3, 7);
    expect(offsets.queryOffset('CG', 'T', 0)).toBe(12);
    await offsets.persist();
    const reloaded = await ConsumerOffsetManager.load(path, silentLogger);
    expect(Object.fromEntries(reloaded.offsetsOf('CG', 'T'))).toEqual({ 0: 12, 3: 7 });
    expect(reloaded.groupsOf('T')).toEqual(['CG']);
    expect(reloaded.topicsOf('CG')).toEqual(['T']);
  });
});
