import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUpdateConsumerOffsetRequestHeader } from '../../../src/protocol/headers/consumer-offset.js';
import { encodeHeartbeatData } from '../../../src/protocol/headers/client.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { silentLogger } from '../../../src/logger.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { firstValueFrom } from 'rxjs';
import { call } from '../../fixtures/broker/broker-fixture.js';
import { admin, adminJson, tableRows } from './admin-run.js';

const TOPIC = 'AdminCliTopic';
const GROUP = 'admin-cli-group';

let broker: BrokerProcess;
let ns: string;
let member: RemotingClient;
const sent: { msgId: string; offsetMsgId: string; queueId: number; queueOffset: number }[] = [];

beforeAll(async () => {
  broker = await startBrokerProcess();
  ns = broker.namesrvAddress;
  member = createRemotingClient({ logger: silentLogger });
});
afterAll(async () => {
  await member.close();
  await broker.dispose();
});

describe('rxrocket admin against a broker process', () => {
  it('clusterList shows the broker with its id, address and version', async () => {
    const run = await admin(ns, 'clusterList');
    expect(run.code).toBe(0);
    const rows = tableRows(run.out);
    expect(rows[0]).toEqual([
      '#Cluster Name',
      '#Broker Name',
      '#BID',
      '#Addr',
      '#Version',
      '#PutTotal',
      '#GetTotal',
    ]);
    expect(rows.slice(1)).toEqual([
      ['DefaultCluster', 'broker-a', '0', broker.brokerAddress, 'V4_9_8', '0', '0'],
    ]);
    const json = await adminJson<{ address: string; brokerId: number }[]>(ns, 'clusterList');
    expect(json).toMatchObject([
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerId: 0, address: broker.brokerAddress },
    ]);
  });

  it('brokerStatus prints the runtime table of one broker', async () => {
    const run = await admin(ns, 'brokerStatus', '-b', broker.brokerAddress);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^brokerVersionDesc\s+: V4_9_8$/m);
    expect(run.out).toMatch(/^brokerRole\s+: ASYNC_MASTER$/m);
    const json = await adminJson<Record<string, string>>(ns, 'brokerStatus', '-c', 'DefaultCluster');
    expect(json[broker.brokerAddress]).toMatchObject({ commitLogMinOffset: '0', brokerRole: 'ASYNC_MASTER' });
  });

  it('updateTopic creates a topic that topicList and topicRoute then show', async () => {
    const created = await admin(ns, 'updateTopic', '-t', TOPIC, '-c', 'DefaultCluster', '-r', '2', '-w', '2');
    expect(created.code).toBe(0);
    expect(created.out).toContain(`create topic to ${broker.brokerAddress} success.`);
    expect((await admin(ns, 'topicList')).out.split('\n')).toContain(TOPIC);
    expect(await adminJson<string[]>(ns, 'topicList', '-c', 'DefaultCluster')).toContain(TOPIC);
    const route = await admin(ns, 'topicRoute', '-t', TOPIC);
    expect(tableRows(route.out)).toEqual([
      ['#Broker Name', '#Addr', '#Read Queues', '#Write Queues', '#Perm'],
      ['broker-a', broker.brokerAddress, '2', '2', '6'],
    ]);
    const json = await adminJson<{ queueDatas: { writeQueueNums: number }[] }>(ns, 'topicRoute', '-t', TOPIC);
    expect(json.queueDatas).toMatchObject([{ brokerName: 'broker-a', readQueueNums: 2, writeQueueNums: 2 }]);
  });

  it('sendMessage stores messages on the queue asked for; topicStatus counts them', async () => {
    for (const [i, queueId] of [0, 1, 1].entries()) {
      const result = await adminJson<{
        status: string;
        msgId: string;
        offsetMsgId: string;
        queueId: number;
        queueOffset: number;
      }>(
        ns,
        'sendMessage',
        '-t',
        TOPIC,
        '-p',
        `body-${i}`,
        '-k',
        `key-${i}`,
        '-c',
        'TagA',
        '-b',
        'broker-a',
        '-i',
        String(queueId),
      );
      expect(result).toMatchObject({ status: 'SEND_OK', brokerName: 'broker-a', queueId });
      sent.push(result);
    }
    // An acknowledged send reaches the ConsumeQueue with the next reput, a moment later (as in RocketMQ).
    let rows: string[][] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      rows = tableRows((await admin(ns, 'topicStatus', '-t', TOPIC)).out);
      if (rows[2]?.[3] === '2' && rows[1]?.[3] === '1') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows[0]).toEqual(['#Broker Name', '#QID', '#Min Offset', '#Max Offset', '#Last Updated']);
    expect(rows.slice(1).map((r) => r.slice(0, 4))).toEqual([
      ['broker-a', '0', '0', '1'],
      ['broker-a', '1', '0', '2'],
    ]);
    expect(await adminJson(ns, 'topicStatus', '-t', TOPIC)).toMatchObject([
      { queueId: 0, minOffset: 0, maxOffset: 1 },
      { queueId: 1, minOffset: 0, maxOffset: 2 },
    ]);
  });

  it('queryMsgByKey, queryMsgById (offset id and client id) and queryMsgByOffset find the sent messages', async () => {
    const byKey = await admin(ns, 'queryMsgByKey', '-t', TOPIC, '-k', 'key-2');
    expect(byKey.code).toBe(0);
    expect(tableRows(byKey.out).slice(1)).toEqual([
      [sent[2]!.offsetMsgId, '1', '1', 'TagA', 'key-2', 'body-2'],
    ]);
    const byOffsetId = await admin(ns, 'queryMsgById', '-i', sent[1]!.offsetMsgId);
    expect(byOffsetId.out).toMatch(/^Message Body\s+: body-1$/m);
    expect(byOffsetId.out).toMatch(/^Keys\s+: \[key-1\]$/m);
    const byUniqKey = await adminJson<{ body: string; uniqKey: string }[]>(
      ns,
      'queryMsgById',
      '-i',
      sent[0]!.msgId,
      '-t',
      TOPIC,
    );
    expect(byUniqKey).toMatchObject([{ body: 'body-0', uniqKey: sent[0]!.msgId, queueId: 0 }]);
    const byOffset = await adminJson(
      ns,
      'queryMsgByOffset',
      '-t',
      TOPIC,
      '-b',
      'broker-a',
      '-i',
      '1',
      '-o',
      '1',
    );
    expect(byOffset).toMatchObject({ body: 'body-2', queueId: 1, queueOffset: 1, tags: 'TagA' });
    const missing = await admin(ns, 'queryMsgByKey', '-t', TOPIC, '-k', 'no-such-key');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no message of AdminCliTopic with key no-such-key');
  });

  it('consumeMessage prints N messages queue by queue', async () => {
    const two = await admin(ns, 'consumeMessage', '-t', TOPIC, '-c', '2');
    expect(tableRows(two.out).map((r) => r.slice(1))).toEqual([
      ['#QID', '#Offset', '#Tags', '#Keys', '#Body'],
      ['0', '0', 'TagA', 'key-0', 'body-0'],
      ['1', '0', 'TagA', 'key-1', 'body-1'],
    ]);
    const all = await adminJson<{ body: string }[]>(ns, 'consumeMessage', '-t', TOPIC, '-i', '1', '-o', '1');
    expect(all.map((m) => m.body)).toEqual(['body-2']);
  });

  it('updateSubGroup, consumerProgress, resetOffsetByTime and consumerConnection on a group with a member', async () => {
    expect((await admin(ns, 'updateSubGroup', '-g', GROUP, '-b', broker.brokerAddress, '-r', '3')).code).toBe(
      0,
    );
    const commit = await call(broker.brokerAddress, RequestCode.UPDATE_CONSUMER_OFFSET, {
      extFields: encodeUpdateConsumerOffsetRequestHeader({
        consumerGroup: GROUP,
        topic: TOPIC,
        queueId: 1,
        commitOffset: 2,
      }),
    });
    expect(commit.code).toBe(ResponseCode.SUCCESS);
    const progress = await admin(ns, 'consumerProgress', '-g', GROUP);
    expect(
      tableRows(progress.out)
        .slice(0, 3)
        .map((r) => r.slice(0, 6)),
    ).toEqual([
      ['#Topic', '#Broker Name', '#QID', '#Broker Offset', '#Consumer Offset', '#Diff'],
      [TOPIC, 'broker-a', '0', '1', '0', '1'],
      [TOPIC, 'broker-a', '1', '2', '2', '0'],
    ]);
    expect(progress.out).toMatch(/^Diff Total: 1$/m);
    expect(await adminJson(ns, 'consumerProgress', '-g', GROUP, '-t', TOPIC)).toMatchObject({ totalLag: 1 });

    const reset = await admin(ns, 'resetOffsetByTime', '-g', GROUP, '-t', TOPIC, '-s', '0');
    expect(tableRows(reset.out)).toEqual([
      ['#brokerName', '#queueId', '#offset'],
      ['broker-a', '0', '0'],
      ['broker-a', '1', '0'],
    ]);
    expect(await adminJson(ns, 'consumerProgress', '-g', GROUP)).toMatchObject({ totalLag: 3 });

    const offline = await admin(ns, 'consumerConnection', '-g', GROUP);
    expect(offline.code).toBe(1);
    expect(offline.err).toContain(`the consumer group[${GROUP}] not online`);
    const heartbeat = await firstValueFrom(
      member.invoke$(
        broker.brokerAddress,
        createRequest(RequestCode.HEART_BEAT, {
          body: encodeHeartbeatData({
            clientID: '127.0.0.1@admin-test',
            producerDataSet: [],
            consumerDataSet: [
              {
                groupName: GROUP,
                consumeType: 'CONSUME_PASSIVELY',
                messageModel: 'CLUSTERING',
                consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
                unitMode: false,
                subscriptionDataSet: [
                  {
                    classFilterMode: false,
                    topic: TOPIC,
                    subString: 'TagA',
                    tagsSet: ['TagA'],
                    codeSet: [2598919],
                    subVersion: 1,
                    expressionType: 'TAG',
                  },
                ],
              },
            ],
          }),
        }),
        5000,
      ),
    );
    expect(heartbeat.code).toBe(ResponseCode.SUCCESS);
    const online = await admin(ns, 'consumerConnection', '-g', GROUP);
    expect(online.code).toBe(0);
    const rows = tableRows(online.out);
    expect(rows[0]).toEqual(['#ClientId', '#ClientAddr', '#Language', '#Version']);
    expect(rows[1]![0]).toBe('127.0.0.1@admin-test');
    expect(rows[1]!.slice(2)).toEqual(['OTHER', '409']);
    expect(online.out).toMatch(new RegExp(`^${TOPIC}\\s+TagA$`, 'm'));
    expect(online.out).toContain('MessageModel: CLUSTERING');
  });

  it('deleteSubGroup and deleteTopic remove what was created', async () => {
    const group = await admin(
      ns,
      'deleteSubGroup',
      '-g',
      GROUP,
      '-b',
      broker.brokerAddress,
      '--remove-offset',
    );
    expect(group.out).toContain(`delete subscription group [${GROUP}] from ${broker.brokerAddress} success.`);
    expect((await admin(ns, 'consumerProgress', '-g', GROUP)).code).toBe(1);
    const topic = await admin(ns, 'deleteTopic', '-t', TOPIC);
    expect(topic.code).toBe(0);
    const route = await admin(ns, 'topicRoute', '-t', TOPIC);
    expect(route.code).toBe(1);
    expect(route.err).toContain('code 17');
  });

  it('every command has --help; wrong commands and flags exit 2, unreachable servers exit 1', async () => {
    for (const name of [
      'clusterList',
      'brokerStatus',
      'topicList',
      'topicRoute',
      'topicStatus',
      'updateTopic',
      'deleteTopic',
      'updateSubGroup',
      'deleteSubGroup',
      'consumerProgress',
      'consumerConnection',
      'queryMsgById',
      'queryMsgByKey',
      'queryMsgByOffset',
      'resetOffsetByTime',
      'sendMessage',
      'consumeMessage',
    ]) {
      const help = await admin(ns, name, '--help');
      expect(help.code, name).toBe(0);
      expect(help.out, name).toContain(`Usage: rxrocket admin ${name} [flags]`);
      expect(help.out, name).toContain('-n, --namesrv');
    }
    expect(await admin(ns, 'noSuchCommand')).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown command "noSuchCommand"'),
    });
    expect(await admin(ns, 'topicStatus')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--topic is required'),
    });
    expect(await admin(ns, 'updateTopic', '-t', 'x', '-b', broker.brokerAddress, '-r', 'many')).toMatchObject(
      {
        code: 2,
        err: expect.stringContaining('--read-queue-nums: expected an integer'),
      },
    );
    expect(await admin(ns, 'topicList', '--bogus')).toMatchObject({ code: 2 });
    const unreachable = await admin('127.0.0.1:1', 'clusterList');
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/cannot reach 127\.0\.0\.1:1: connect failed/);
    const brokerDown = await admin(ns, 'brokerStatus', '-b', '127.0.0.1:1');
    expect(brokerDown).toMatchObject({ code: 1, err: expect.stringContaining('cannot reach 127.0.0.1:1') });
  });
});

describe('node dist/broker admin', () => {
  const entry = fileURLToPath(new URL('../../../dist/broker/index.js', import.meta.url));
  const runEntry = (...argv: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(process.execPath, [entry, 'admin', ...argv], { timeout: 30_000 }, (error, out, err) => {
        resolve({ code: error === null ? 0 : (error.code as number | null), out, err });
      });
    });

  it('runs a command in its own process, exit 0 with the JSON on stdout', async () => {
    const run = await runEntry('clusterList', '-n', ns, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject([{ brokerName: 'broker-a', address: broker.brokerAddress }]);
  });

  it('exits 1 with one line on stderr when the name server is unreachable, 2 on a usage error', async () => {
    const down = await runEntry('topicList', '-n', '127.0.0.1:1');
    expect(down.code).toBe(1);
    expect(down.out).toBe('');
    expect(down.err).toMatch(/^rxrocket admin topicList: cannot reach 127\.0\.0\.1:1: connect failed/);
    expect((await runEntry('topicRoute', '-n', ns)).code).toBe(2);
    const help = await runEntry('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('consumerProgress');
  });
});
