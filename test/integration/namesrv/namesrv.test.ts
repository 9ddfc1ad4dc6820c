import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualAction, VirtualTimeScheduler, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NameServer, startNameServer } from '../../../src/broker/namesrv/namesrv.js';
import { silentLogger } from '../../../src/logger.js';
import { encodeRegisterBrokerRequestHeader } from '../../../src/protocol/headers/namesrv.js';
import { decodeClusterInfo, decodeTopicRouteData } from '../../../src/protocol/headers/namesrv-bodies.js';
import { encodeRegisterBrokerBody, maskedCrc32 } from '../../../src/protocol/headers/register-broker-body.js';
import {
  type ExtFields,
  type RemotingCommand,
  SerializeType,
  createRequest,
} from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import { RawConnection } from './raw-connection.js';

const TIMEOUT = 5_000;

/** The register body a Java 4.9 master sends: fastjson text, fields sorted. */
const javaRegisterBody = Buffer.from(
  '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":2,"timestamp":1690000000000},' +
    '"topicConfigTable":{"TBW102":{"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG",' +
    '"topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8},"TopicTest":{"order":false,"perm":6,' +
    '"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}}}}',
  'utf8',
);

const javaRegisterHeader = (opaque: number): string =>
  `{"code":103,"extFields":{"brokerId":"0","bodyCrc32":"${maskedCrc32(javaRegisterBody)}","clusterName":"DefaultCluster",` +
  '"brokerAddr":"127.0.0.1:10911","haServerAddr":"127.0.0.1:10912","compressed":"false","brokerName":"broker-a"},' +
  `"flag":0,"language":"JAVA","opaque":${opaque},"serializeTypeCurrentRPC":"JSON","version":409}`;

let dir: string;
let namesrv: NameServer;
let client: RemotingClient;
let master: RawConnection;

const call = (
  code: number,
  extFields?: ExtFields,
  init: Partial<RemotingCommand> = {},
): Promise<RemotingCommand> =>
  firstValueFrom(
    client.invoke$(namesrv.address, { ...createRequest(code, { extFields }), ...init }, TIMEOUT),
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-namesrv-'));
  namesrv = await startNameServer({
    port: 0,
    logger: silentLogger,
    kvConfigPath: join(dir, 'kvConfig.json'),
  });
  client = createRemotingClient({ logger: silentLogger });
  master = await RawConnection.open(namesrv.address);
});

afterAll(async () => {
  await master.close();
  await client.close();
  await namesrv.close();
  await rm(dir, { recursive: true, force: true });
});

describe('name server over TCP', () => {
  it('listens on a real port', () => {
    expect(namesrv.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(namesrv.address).not.toMatch(/:0$/);
  });

  it('registers a master from the exact bytes a Java broker sends (JSON header)', async () => {
    const reply = await master.request(RawConnection.jsonFrame(javaRegisterHeader(11), javaRegisterBody));
    expect(reply.code).toBe(ResponseCode.SUCCESS);
    expect(reply.opaque).toBe(11);
    expect(reply.serializeType).toBe(SerializeType.JSON);
  });

  it('registers a slave in ROCKETMQ serialisation and tells it its master', async () => {
    const body = encodeRegisterBrokerBody(
      {
        topicConfigSerializeWrapper: { topicConfigTable: {}, dataVersion: { timestamp: 1, counter: 1 } },
        filterServerList: [],
      },
      true,
    );
    const extFields = encodeRegisterBrokerRequestHeader({
      brokerName: 'broker-a',
      brokerAddr: '127.0.0.2:10911',
      clusterName: 'DefaultCluster',
      brokerId: 1,
      haServerAddr: '127.0.0.2:10912',
      compressed: true,
      bodyCrc32: maskedCrc32(body),
    });
    const reply = await call(RequestCode.REGISTER_BROKER, extFields, {
      body,
      serializeType: SerializeType.ROCKETMQ,
    });
    expect(reply.code).toBe(ResponseCode.SUCCESS);
    expect(reply.serializeType).toBe(SerializeType.ROCKETMQ);
    expect(reply.extFields).toEqual({ masterAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912' });
  });

  it('serves the route as the JSON text Java clients parse, in both key styles', async () => {
    const modern = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
    expect(modern.code).toBe(ResponseCode.SUCCESS);
    expect(Buffer.from(modern.body!).toString('utf8')).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.2:10911"},"brokerName":"broker-a",' +
        '"cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,' +
        '"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
    const old = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }, { version: 121 });
    expect(Buffer.from(old.body!).toString('utf8')).toContain(
      '"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.2:10911"}',
    );
    expect(decodeTopicRouteData(old.body)).toEqual(decodeTopicRouteData(modern.body));

    const tbw = decodeTopicRouteData(
      (await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TBW102' })).body,
    );
    expect(tbw.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
    ]);

    const missing = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(missing.remark).toBe('No topic route info in name server for the topic: NoSuchTopic');
  });

  it('serves cluster info', async () => {
    const reply = await call(RequestCode.GET_BROKER_CLUSTER_INFO);
    expect(decodeClusterInfo(reply.body)).toEqual({
      brokerAddrTable: {
        'broker-a': {
          cluster: 'DefaultCluster',
          brokerName: 'broker-a',
          brokerAddrs: { '0': '127.0.0.1:10911', '1': '127.0.0.2:10911' },
        },
      },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
  });

  it('puts and gets KV config, persisted to kvConfig.json', async () => {
    expect((await call(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' })).code).toBe(0);
    const got = await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
    expect(got.code).toBe(ResponseCode.SUCCESS);
    expect(got.extFields).toEqual({ value: 'v' });
    expect(JSON.parse(await readFile(join(dir, 'kvConfig.json'), 'utf8'))).toEqual({
      configTable: { ns: { k: 'v' } },
    });
    expect((await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'nope' })).code).toBe(
      ResponseCode.QUERY_NOT_FOUND,
    );
  });

  it("drops the master as soon as its connection closes; the slave's entry stays", async () => {
    await master.close();
    let route: RemotingCommand | undefined;
    for (let i = 0; i < 100; i++) {
      route = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
      if (
        !Buffer.from(route.body ?? [])
          .toString()
          .includes('127.0.0.1:10911')
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(decodeTopicRouteData(route!.body).brokerDatas).toEqual([
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { '1': '127.0.0.2:10911' } },
    ]);
  });
});

describe('name server liveness scan', () => {
  it('drops a silent broker after 120 s of (virtual) time and closes its connection', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 130_000);
    const server = await startNameServer({ port: 0, logger: silentLogger, scheduler });
    const broker = await RawConnection.open(server.address);
    try {
      const reply = await broker.request(RawConnection.jsonFrame(javaRegisterHeader(1), javaRegisterBody));
      expect(reply.code).toBe(ResponseCode.SUCCESS);
      const route = () =>
        firstValueFrom(
          client.invoke$(
            server.address,
            createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: 'TopicTest' } }),
            TIMEOUT,
          ),
        );
      expect((await route()).code).toBe(ResponseCode.SUCCESS);
      scheduler.flush();
      await broker.closed;
      expect((await route()).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    } finally {
      await broker.close();
      await server.close();
    }
  });
});
