import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { KvConfigStore } from '../../../../src/broker/namesrv/kv-config.js';
import { createNamesrvProcessors } from '../../../../src/broker/namesrv/request-processor.js';
import { RouteInfoManager } from '../../../../src/broker/namesrv/route-info.js';
import {
  encodeRegisterBrokerRequestHeader,
  type RegisterBrokerRequestHeader,
} from '../../../../src/protocol/headers/namesrv.js';
import {
  decodeDataVersion,
  decodeTopicList,
  encodeDataVersion,
} from '../../../../src/protocol/headers/namesrv-bodies.js';
import {
  encodeRegisterBrokerBody,
  maskedCrc32,
} from '../../../../src/protocol/headers/register-broker-body.js';
import {
  type ExtFields,
  type RemotingCommand,
  createRequest,
  RPC_TYPE_RESPONSE,
} from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import type { LogLevel, Logger } from '../../../../src/logger.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { topic, wrapper } from './route-fixtures.js';

interface LogLine {
  level: LogLevel;
  message: string;
  fields: object;
}

function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: LogLevel) =>
    (fields: object, message: string): void => {
      lines.push({ level, message, fields });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

function setup(options: { orderMessageEnable?: boolean } = {}) {
  const routes = new RouteInfoManager();
  const kvConfig = KvConfigStore.inMemory();
  const lines: LogLine[] = [];
  let clock = 1_000;
  const processors = createNamesrvProcessors({
    routes,
    kvConfig,
    logger: recordingLogger(lines),
    now: () => clock,
    ...options,
  });
  const call = async (
    code: number,
    extFields?: ExtFields,
    body?: Uint8Array,
    version = 409,
    channel = new FakeChannel(),
  ): Promise<RemotingCommand> => {
    const processor = processors.get(code);
    if (!processor) throw new Error(`no processor for ${code}`);
    const request = { ...createRequest(code, { extFields, body }), opaque: 77, version };
    const response = await firstValueFrom(from(processor(request, channel)));
    if (!response) throw new Error('no response');
    expect(response.opaque).toBe(77);
    expect(response.flag & RPC_TYPE_RESPONSE).toBe(RPC_TYPE_RESPONSE);
    return response;
  };
  return { routes, kvConfig, lines, call, setClock: (t: number) => (clock = t) };
}

const header = (over: Partial<RegisterBrokerRequestHeader> = {}): RegisterBrokerRequestHeader => ({
  brokerName: 'broker-a',
  brokerAddr: '10.0.0.1:10911',
  clusterName: 'DefaultCluster',
  brokerId: 0,
  haServerAddr: '10.0.0.1:10912',
  compressed: false,
  bodyCrc32: 0,
  ...over,
});

const registerBody = (compressed = false, topics = [topic('TopicTest'), topic('TBW102', 8, 7)]) =>
  encodeRegisterBrokerBody(
    { topicConfigSerializeWrapper: wrapper(topics), filterServerList: [] },
    compressed,
  );

describe('name server processors', () => {
  it('registers a master with a checked CRC and logs it once', async () => {
    const t = setup();
    const body = registerBody();
    const res = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(header({ bodyCrc32: maskedCrc32(body) })),
      body,
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toEqual({});
    expect(res.body).toBeUndefined();
    expect(t.lines.filter((l) => l.message === 'new broker registered')).toHaveLength(1);
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), body);
    expect(t.lines.filter((l) => l.message === 'new broker registered')).toHaveLength(1);
    expect(t.routes.pickupTopicRoute('TBW102')).toBeDefined();
  });

  it('rejects a body whose CRC does not match', async () => {
    const t = setup();
    const body = registerBody();
    const res = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(header({ bodyCrc32: maskedCrc32(body) ^ 1 })),
      body,
    );
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toBe('crc32 not match');
    expect(t.routes.clusterInfo().clusterAddrTable).toEqual({});
  });

  it('accepts a compressed body, and a missing body (no topics)', async () => {
    const t = setup();
    const body = registerBody(true);
    const res = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(header({ compressed: true, bodyCrc32: maskedCrc32(body) })),
      body,
    );
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(t.routes.pickupTopicRoute('TopicTest')?.queueDatas).toHaveLength(1);
    const empty = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(header({ brokerName: 'b2', brokerAddr: 'h:2' })),
    );
    expect(empty.code).toBe(ResponseCode.SUCCESS);
    expect(t.routes.clusterInfo().brokerAddrTable.b2).toBeDefined();
  });

  it('answers a slave with its master and the ORDER_TOPIC_CONFIG table', async () => {
    const t = setup();
    await t.kvConfig.put('ORDER_TOPIC_CONFIG', 'TopicTest', 'broker-a:4');
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
    const res = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(
        header({ brokerId: 1, brokerAddr: '10.0.0.2:10911', haServerAddr: '10.0.0.2:10912' }),
      ),
      registerBody(),
    );
    expect(res.extFields).toEqual({ masterAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912' });
    expect(Buffer.from(res.body!).toString()).toBe('{"table":{"TopicTest":"broker-a:4"}}');
  });

  it('answers a bad header with its error text', async () => {
    const t = setup();
    const res = await t.call(RequestCode.REGISTER_BROKER, { brokerName: 'x' });
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).toContain('brokerAddr');
    const garbage = await t.call(
      RequestCode.REGISTER_BROKER,
      encodeRegisterBrokerRequestHeader(header({ compressed: true })),
      Buffer.from('xx'),
    );
    expect(garbage.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(garbage.remark).toContain('RegisterBrokerBody');
  });

  it('route: 17 with RocketMQ remark when unknown; key style by client version', async () => {
    const t = setup();
    const missing = await t.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' });
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(missing.remark).toBe('No topic route info in name server for the topic: Nope');
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
    const modern = await t.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }, undefined, 409);
    expect(Buffer.from(modern.body!).toString()).toContain('"brokerAddrs":{"0":"10.0.0.1:10911"}');
    const old = await t.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }, undefined, 121);
    expect(Buffer.from(old.body!).toString()).toContain('"brokerAddrs":{0:"10.0.0.1:10911"}');
    const asked = await t.call(
      RequestCode.GET_ROUTEINFO_BY_TOPIC,
      { topic: 'TopicTest', acceptStandardJsonOnly: 'true' },
      undefined,
      121,
    );
    expect(Buffer.from(asked.body!).toString()).toContain('"brokerAddrs":{"0":"10.0.0.1:10911"}');
  });

  it('route carries orderTopicConf only with orderMessageEnable', async () => {
    for (const orderMessageEnable of [false, true]) {
      const t = setup({ orderMessageEnable });
      await t.kvConfig.put('ORDER_TOPIC_CONFIG', 'TopicTest', 'broker-a:4');
      await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
      const res = await t.call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
      expect(Buffer.from(res.body!).toString().includes('"orderTopicConf":"broker-a:4"')).toBe(
        orderMessageEnable,
      );
    }
  });

  it('QUERY_DATA_VERSION reports changes and refreshes liveness when unchanged', async () => {
    const t = setup();
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
    const ident = {
      brokerName: 'broker-a',
      brokerAddr: '10.0.0.1:10911',
      clusterName: 'DefaultCluster',
      brokerId: '0',
    };
    t.setClock(50_000);
    const same = await t.call(
      RequestCode.QUERY_DATA_VERSION,
      ident,
      encodeDataVersion({ timestamp: 1_000, counter: 1 }),
    );
    expect(same.extFields).toEqual({ changed: 'false' });
    expect(decodeDataVersion(same.body)).toEqual({ timestamp: 1_000, counter: 1 });
    expect(t.routes.brokerLiveInfo('10.0.0.1:10911')?.lastUpdateTimestamp).toBe(50_000);
    t.setClock(60_000);
    const changed = await t.call(
      RequestCode.QUERY_DATA_VERSION,
      ident,
      encodeDataVersion({ timestamp: 2_000, counter: 2 }),
    );
    expect(changed.extFields).toEqual({ changed: 'true' });
    expect(t.routes.brokerLiveInfo('10.0.0.1:10911')?.lastUpdateTimestamp).toBe(50_000);
  });

  it('cluster info, topic lists, delete topic, unregister', async () => {
    const t = setup();
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
    const info = await t.call(RequestCode.GET_BROKER_CLUSTER_INFO);
    expect(JSON.parse(Buffer.from(info.body!).toString())).toEqual({
      brokerAddrTable: {
        'broker-a': {
          brokerAddrs: { '0': '10.0.0.1:10911' },
          brokerName: 'broker-a',
          cluster: 'DefaultCluster',
        },
      },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
    const all = await t.call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    expect([...decodeTopicList(all.body).topicList].sort()).toEqual(['TBW102', 'TopicTest']);
    const byCluster = await t.call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'DefaultCluster' });
    expect(decodeTopicList(byCluster.body).topicList).toHaveLength(2);
    const system = await t.call(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS);
    expect(decodeTopicList(system.body)).toEqual({
      topicList: ['DefaultCluster', 'broker-a'],
      brokerAddr: '10.0.0.1:10911',
    });
    expect((await t.call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'TopicTest' })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(t.routes.allTopics()).toEqual(['TBW102']);
    const unregister = await t.call(RequestCode.UNREGISTER_BROKER, {
      brokerName: 'broker-a',
      brokerAddr: '10.0.0.1:10911',
      clusterName: 'DefaultCluster',
      brokerId: '0',
    });
    expect(unregister.code).toBe(ResponseCode.SUCCESS);
    expect(t.routes.allTopics()).toEqual([]);
  });

  it('wipes and adds write permission with counts in the response header', async () => {
    const t = setup();
    await t.call(RequestCode.REGISTER_BROKER, encodeRegisterBrokerRequestHeader(header()), registerBody());
    const wipe = await t.call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(wipe.extFields).toEqual({ wipeTopicCount: '2' });
    expect(t.routes.pickupTopicRoute('TopicTest')?.queueDatas[0]?.perm).toBe(4);
    const add = await t.call(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(add.extFields).toEqual({ addTopicCount: '2' });
    expect(t.routes.pickupTopicRoute('TopicTest')?.queueDatas[0]?.perm).toBe(6);
  });

  it('KV config put, get, list, delete with RocketMQ not-found answers', async () => {
    const t = setup();
    expect((await t.call(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' })).code).toBe(0);
    expect((await t.call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' })).extFields).toEqual({
      value: 'v',
    });
    const list = await t.call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' });
    expect(Buffer.from(list.body!).toString()).toBe('{"table":{"k":"v"}}');
    expect((await t.call(RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'k' })).code).toBe(0);
    const gone = await t.call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
    expect(gone.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(gone.remark).toBe('No config item, Namespace: ns Key: k');
    const noList = await t.call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' });
    expect(noList.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(noList.remark).toBe('No config item, Namespace: ns');
    expect((await t.call(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k' })).code).toBe(
      ResponseCode.SYSTEM_ERROR,
    );
  });
});
