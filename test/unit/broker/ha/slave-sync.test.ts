import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncScheduler, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { syncFromMaster } from '../../../../src/broker/ha/slave-sync.js';
import { ConsumerOffsetManager } from '../../../../src/broker/managers/consumer-offset-manager.js';
import { SubscriptionGroupManager } from '../../../../src/broker/managers/subscription-group-manager.js';
import { TopicConfigManager } from '../../../../src/broker/managers/topic-config-manager.js';
import { silentLogger } from '../../../../src/logger.js';
import type { TopicConfig } from '../../../../src/protocol/headers/topic-admin.js';
import { type RemotingCommand, createResponse } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-slave-sync-', (path) => {
  dir = path;
});

const topic = (name: string, queues: number): TopicConfig => ({
  topicName: name,
  readQueueNums: queues,
  writeQueueNums: queues,
  perm: 6,
  topicFilterType: 'SINGLE_TAG',
  topicSysFlag: 0,
  order: false,
});

/** The master's answers, as fastjson writes them (bare integer keys in delayOffset.json). */
const MASTER: Record<number, string> = {
  [RequestCode.GET_ALL_TOPIC_CONFIG]: JSON.stringify({
    dataVersion: { timestamp: 5, counter: 9 },
    topicConfigTable: { Orders: topic('Orders', 4) },
  }),
  [RequestCode.GET_ALL_CONSUMER_OFFSET]: JSON.stringify({ offsetTable: { 'Orders@cg': { 0: 17, 3: 4 } } }),
  [RequestCode.GET_ALL_DELAY_OFFSET]: '{"offsetTable":{1:12,3:0}}',
  [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG]: JSON.stringify({
    dataVersion: { timestamp: 5, counter: 2 },
    subscriptionGroupTable: { cg: { groupName: 'cg', retryMaxTimes: 3 } },
  }),
};

async function managers() {
  const config = join(dir, 'config');
  await mkdir(config, { recursive: true });
  const topics = await TopicConfigManager.load({
    path: join(config, 'topics.json'),
    brokerClusterName: 'c',
    brokerName: 'b',
    autoCreateTopicEnable: false,
    defaultTopicQueueNums: 4,
    delayLevelCount: 18,
    logger: silentLogger,
  });
  const offsets = await ConsumerOffsetManager.load(join(config, 'consumerOffset.json'), silentLogger);
  const groups = await SubscriptionGroupManager.load(
    join(config, 'subscriptionGroup.json'),
    false,
    silentLogger,
  );
  return { topics, offsets, groups };
}

const deps = (
  tables: Awaited<ReturnType<typeof managers>>,
  answer: (request: RemotingCommand) => RemotingCommand,
) => ({
  ...tables,
  remoting: { invoke$: (_address: string, request: RemotingCommand) => of(answer(request)) },
  masterAddress: () => 'master:10911',
  storePathRootDir: dir,
  firstDelayMs: 3000,
  periodMs: 10_000,
  timeoutMs: 1000,
  logger: silentLogger,
  scheduler: asyncScheduler,
});

describe('slave metadata sync', () => {
  it('copies topics, consumer offsets, delay offsets and subscription groups from the master', async () => {
    const tables = await managers();
    await tables.topics.upsert(topic('Gone', 1));
    const asked: number[] = [];
    await syncFromMaster(
      deps(tables, (request) => {
        asked.push(request.code);
        return createResponse(request, ResponseCode.SUCCESS, { body: Buffer.from(MASTER[request.code]!) });
      }),
      'master:10911',
    );
    expect(asked).toEqual([
      RequestCode.GET_ALL_TOPIC_CONFIG,
      RequestCode.GET_ALL_CONSUMER_OFFSET,
      RequestCode.GET_ALL_DELAY_OFFSET,
      RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
    ]);
    expect([...tables.topics.all().keys()]).toEqual(['Orders']);
    expect(tables.offsets.queryOffset('cg', 'Orders', 0)).toBe(17);
    expect(tables.offsets.queryOffset('cg', 'Orders', 3)).toBe(4);
    expect(await readFile(join(dir, 'config', 'delayOffset.json'), 'utf8')).toBe(
      '{"offsetTable":{1:12,3:0}}',
    );
    expect(tables.groups.get('cg')).toMatchObject({ groupName: 'cg', retryMaxTimes: 3 });
    tables.topics.close();
  });

  it('fails the round on an error answer and leaves what the slave had', async () => {
    const tables = await managers();
    tables.offsets.commitOffset('cg', 'Orders', 0, 5);
    const failing = deps(tables, (request) =>
      request.code === RequestCode.GET_ALL_CONSUMER_OFFSET
        ? createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: 'no' })
        : createResponse(request, ResponseCode.SUCCESS, { body: Buffer.from(MASTER[request.code]!) }),
    );
    await expect(syncFromMaster(failing, 'master:10911')).rejects.toThrow(/no/);
    expect(tables.offsets.queryOffset('cg', 'Orders', 0)).toBe(5);
    const unreachable = { ...failing, remoting: { invoke$: () => throwError(() => new Error('refused')) } };
    await expect(syncFromMaster(unreachable, 'master:10911')).rejects.toThrow(/refused/);
    tables.topics.close();
  });
});
