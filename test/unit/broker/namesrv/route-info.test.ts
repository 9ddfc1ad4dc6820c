import { describe, expect, it } from 'vitest';
import { RouteInfoManager } from '../../../../src/broker/namesrv/route-info.js';
import { BROKER_EXPIRY_MS } from '../../../../src/broker/namesrv/route-types.js';
import { topicRouteDataJson } from '../../../../src/protocol/headers/namesrv-bodies.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { master, slave, topic, wrapper } from './route-fixtures.js';

describe('RouteInfoManager registration', () => {
  it('registers a master: cluster, broker address and queue data', () => {
    const routes = new RouteInfoManager();
    const outcome = routes.registerBroker(master(), 1);
    expect(outcome).toEqual({ newBroker: true, changedTopics: ['TopicTest'] });
    expect(routes.clusterInfo()).toEqual({
      brokerAddrTable: {
        'broker-a': {
          cluster: 'DefaultCluster',
          brokerName: 'broker-a',
          brokerAddrs: { '0': '10.0.0.1:10911' },
        },
      },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
    expect(routes.pickupTopicRoute('TopicTest')?.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 },
    ]);
  });

  it('gives a slave its live master address and HA address; the master itself gets neither', () => {
    const routes = new RouteInfoManager();
    const m = routes.registerBroker(master(), 1);
    expect(m).not.toHaveProperty('masterAddr');
    const s = routes.registerBroker(slave(), 2);
    expect(s.masterAddr).toBe('10.0.0.1:10911');
    expect(s.haServerAddr).toBe('10.0.0.1:10912');
    expect(routes.pickupTopicRoute('TopicTest')?.brokerDatas[0]?.brokerAddrs).toEqual({
      '0': '10.0.0.1:10911',
      '1': '10.0.0.2:10911',
    });
  });

  it('gives a slave no master address while the master is not registered', () => {
    const routes = new RouteInfoManager();
    const s = routes.registerBroker(slave(), 1);
    expect(s.masterAddr).toBeUndefined();
    expect(s.haServerAddr).toBeUndefined();
  });

  it('only the master registration updates topic queue data', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master(), 1);
    const s = routes.registerBroker(
      slave({ topicConfigWrapper: wrapper([topic('TopicTest', 16), topic('SlaveOnly')], 9) }),
      2,
    );
    expect(s.changedTopics).toEqual([]);
    expect(routes.pickupTopicRoute('SlaveOnly')).toBeUndefined();
    expect(routes.pickupTopicRoute('TopicTest')?.queueDatas[0]?.readQueueNums).toBe(4);
  });

  it('applies a master topic table only when its dataVersion changed', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master(), 1);
    const sameVersion = routes.registerBroker(
      master({ topicConfigWrapper: wrapper([topic('TopicTest', 8), topic('New')], 1) }),
      2,
    );
    expect(sameVersion.changedTopics).toEqual([]);
    expect(routes.pickupTopicRoute('New')).toBeUndefined();
    expect(routes.isBrokerTopicConfigChanged('10.0.0.1:10911', { timestamp: 1_000, counter: 1 })).toBe(false);
    expect(routes.isBrokerTopicConfigChanged('10.0.0.1:10911', { timestamp: 1_000, counter: 2 })).toBe(true);
    expect(routes.isBrokerTopicConfigChanged('10.9.9.9:10911', { timestamp: 1_000, counter: 1 })).toBe(true);

    const newVersion = routes.registerBroker(
      master({ topicConfigWrapper: wrapper([topic('TopicTest', 8), topic('New')], 2) }),
      3,
    );
    expect(newVersion.changedTopics).toEqual(['TopicTest', 'New']);
    expect(newVersion.newBroker).toBe(false);
    expect(routes.pickupTopicRoute('TopicTest')?.queueDatas[0]?.writeQueueNums).toBe(8);
    expect(routes.brokerDataVersion('10.0.0.1:10911')).toEqual({ timestamp: 1_000, counter: 2 });
  });

  it('keeps one id per address: a slave promoted to master replaces its slave entry', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(slave(), 1);
    routes.registerBroker(slave({ brokerId: 0 }), 2);
    expect(routes.clusterInfo().brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ '0': '10.0.0.2:10911' });
    expect(routes.pickupTopicRoute('TopicTest')).toBeDefined();
  });

  it('serves the TBW102 default topic like any other topic its brokers register', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(
      master({ topicConfigWrapper: wrapper([topic('TBW102', 8, 7), topic('TopicTest')]) }),
      1,
    );
    const route = routes.pickupTopicRoute('TBW102');
    expect(route?.queueDatas).toEqual([
      { brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
    ]);
    expect(route?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
  });

  it('keeps filter server lists per broker address in routes', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master({ filterServerList: ['10.0.0.1:30000'] }), 1);
    expect(routes.pickupTopicRoute('TopicTest')?.filterServerTable).toEqual({
      '10.0.0.1:10911': ['10.0.0.1:30000'],
    });
    routes.registerBroker(master({ filterServerList: [] }), 2);
    expect(routes.pickupTopicRoute('TopicTest')?.filterServerTable).toEqual({});
  });
});

describe('RouteInfoManager route JSON', () => {
  const twoBrokers = (): RouteInfoManager => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master(), 1);
    routes.registerBroker(slave(), 2);
    return routes;
  };

  it('writes standard JSON with quoted keys for new clients', () => {
    const route = twoBrokers().pickupTopicRoute('TopicTest')!;
    expect(topicRouteDataJson(route, 'standard')).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},"brokerName":"broker-a",' +
        '"cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,' +
        '"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
  });

  it("writes fastjson's unquoted numeric brokerAddrs keys for old clients", () => {
    const route = twoBrokers().pickupTopicRoute('TopicTest')!;
    expect(topicRouteDataJson(route, 'fastjson')).toBe(
      '{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a",' +
        '"cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,' +
        '"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
  });

  it('writes orderTopicConf when set and escapes non-ASCII in standard JSON', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master({ topicConfigWrapper: wrapper([topic('主题')]) }), 1);
    const route = { ...routes.pickupTopicRoute('主题')!, orderTopicConf: 'broker-a:4' };
    const json = topicRouteDataJson(route, 'standard');
    expect(json).toContain('"orderTopicConf":"broker-a:4","queueDatas"');
    expect(
      topicRouteDataJson(
        { ...route, brokerDatas: [{ cluster: 'c', brokerName: 'é', brokerAddrs: {} }] },
        'standard',
      ),
    ).toContain('"brokerName":"\\u00e9"');
    expect(JSON.parse(json)).toMatchObject({ orderTopicConf: 'broker-a:4' });
  });
});

describe('RouteInfoManager removal', () => {
  it('drops a broker at once when its channel closes, and its topics with it', () => {
    const routes = new RouteInfoManager();
    const channel = new FakeChannel();
    routes.registerBroker(master({ channel }), 1);
    expect(routes.removeBrokerByChannel(new FakeChannel())).toBeUndefined();
    const removed = routes.removeBrokerByChannel(channel);
    expect(removed).toMatchObject({ brokerAddr: '10.0.0.1:10911', brokerName: 'broker-a', channel });
    expect(routes.pickupTopicRoute('TopicTest')).toBeUndefined();
    expect(routes.clusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    expect(routes.allTopics()).toEqual([]);
  });

  it('keeps the route with the slave when only the master goes away', () => {
    const routes = new RouteInfoManager();
    const masterChannel = new FakeChannel();
    routes.registerBroker(master({ channel: masterChannel }), 1);
    routes.registerBroker(slave({ channel: new FakeChannel() }), 1);
    routes.removeBrokerByChannel(masterChannel);
    expect(routes.pickupTopicRoute('TopicTest')?.brokerDatas[0]?.brokerAddrs).toEqual({
      '1': '10.0.0.2:10911',
    });
  });

  it('expires brokers silent for more than 120 s at the given time only', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master(), 0);
    routes.registerBroker(master({ brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911' }), 60_000);
    expect(routes.scanExpired(BROKER_EXPIRY_MS)).toEqual([]);
    const expired = routes.scanExpired(BROKER_EXPIRY_MS + 1);
    expect(expired.map((b) => b.brokerAddr)).toEqual(['10.0.0.1:10911']);
    expect(routes.pickupTopicRoute('TopicTest')?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-b']);
    routes.touchBroker('10.0.0.3:10911', 200_000);
    expect(routes.scanExpired(300_000)).toEqual([]);
    expect(routes.scanExpired(320_001).map((b) => b.brokerName)).toEqual(['broker-b']);
  });

  it('unregisters a broker cleanly', () => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master(), 1);
    routes.registerBroker(slave(), 1);
    expect(
      routes.unregisterBroker({
        clusterName: 'DefaultCluster',
        brokerAddr: '10.0.0.2:10911',
        brokerName: 'broker-a',
        brokerId: 1,
      }),
    ).toBe(true);
    expect(routes.clusterInfo().brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ '0': '10.0.0.1:10911' });
    routes.unregisterBroker({
      clusterName: 'DefaultCluster',
      brokerAddr: '10.0.0.1:10911',
      brokerName: 'broker-a',
      brokerId: 0,
    });
    expect(routes.pickupTopicRoute('TopicTest')).toBeUndefined();
    expect(routes.clusterInfo().clusterAddrTable).toEqual({});
  });
});

describe('RouteInfoManager admin', () => {
  const cluster = (): RouteInfoManager => {
    const routes = new RouteInfoManager();
    routes.registerBroker(master({ topicConfigWrapper: wrapper([topic('A'), topic('B', 4, 7)]) }), 1);
    routes.registerBroker(
      master({
        clusterName: 'Other',
        brokerName: 'broker-x',
        brokerAddr: '10.0.1.1:10911',
        topicConfigWrapper: wrapper([topic('B'), topic('X')]),
      }),
      1,
    );
    return routes;
  };

  it('wipes and restores write permission of one broker', () => {
    const routes = cluster();
    expect(routes.wipeWritePerm('broker-a')).toBe(2);
    expect(routes.pickupTopicRoute('A')?.queueDatas[0]?.perm).toBe(4);
    const b = routes.pickupTopicRoute('B')!.queueDatas;
    expect(b.find((q) => q.brokerName === 'broker-a')?.perm).toBe(5);
    expect(b.find((q) => q.brokerName === 'broker-x')?.perm).toBe(6);
    expect(routes.addWritePerm('broker-a')).toBe(2);
    expect(routes.pickupTopicRoute('B')!.queueDatas.find((q) => q.brokerName === 'broker-a')?.perm).toBe(6);
    expect(routes.wipeWritePerm('nobody')).toBe(0);
  });

  it('lists topics overall and by cluster, and system topics', () => {
    const routes = cluster();
    expect(routes.allTopics().sort()).toEqual(['A', 'B', 'X']);
    expect(routes.topicsByCluster('DefaultCluster').sort()).toEqual(['A', 'B']);
    expect(routes.topicsByCluster('Other').sort()).toEqual(['B', 'X']);
    expect(routes.topicsByCluster('Nope')).toEqual([]);
    expect(routes.systemTopicList()).toEqual({
      topicList: ['DefaultCluster', 'broker-a', 'Other', 'broker-x'],
      brokerAddr: '10.0.0.1:10911',
    });
  });

  it('deletes a topic everywhere or in one cluster', () => {
    const routes = cluster();
    routes.deleteTopic('B', 'Other');
    expect(routes.pickupTopicRoute('B')?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a']);
    routes.deleteTopic('B', 'DefaultCluster');
    expect(routes.pickupTopicRoute('B')).toBeUndefined();
    routes.deleteTopic('A');
    expect(routes.allTopics()).toEqual(['X']);
  });
});
