import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BrokerProcessError } from '../../../src/errors.js';
import { EmbeddedClusterError, startEmbeddedCluster } from '../../../src/testing/embedded-cluster.js';
import type { TopicRouteData } from '../../../src/protocol/headers/namesrv-bodies.js';
import { routeOf } from '../../fixtures/broker/broker-fixture.js';

const gone = (path: string) =>
  access(path).then(
    () => false,
    () => true,
  );
const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The topic's route once `ready` holds for it (the name server hears of a slave after its first registration). */
async function waitForRoute(
  namesrv: string,
  topic: string,
  ready: (route: TopicRouteData) => boolean,
): Promise<TopicRouteData> {
  for (let i = 0; i < 200; i++) {
    const route = await routeOf(namesrv, topic);
    if (route !== undefined && ready(route)) return route;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no route of ${topic} that is ready`);
}

describe('startEmbeddedCluster', () => {
  it('runs a name server and two brokers that register with it, and stop() removes everything', async () => {
    const cluster = await startEmbeddedCluster({ brokers: 2, clusterName: 'TestCluster' });
    const pids = [cluster.nameServer.pid, ...cluster.brokers.map((b) => b.pid)];
    try {
      expect(cluster.brokerNames).toEqual(['broker-a', 'broker-b']);
      expect(pids.every(alive)).toBe(true);
      const route = await routeOf(cluster.namesrvAddress, 'TBW102');
      const registered = Object.fromEntries(
        (route?.brokerDatas ?? []).map((d) => [d.brokerName, [d.cluster, d.brokerAddrs['0']]]),
      );
      expect(registered).toEqual({
        'broker-a': ['TestCluster', cluster.brokers[0]?.brokerAddress],
        'broker-b': ['TestCluster', cluster.brokers[1]?.brokerAddress],
      });
    } finally {
      await cluster.stop();
    }
    expect(pids.some(alive)).toBe(false);
    expect(await gone(cluster.baseDir)).toBe(true);
  });

  it('starts slaves that join their master under its name', async () => {
    const cluster = await startEmbeddedCluster({ slavesPerBroker: 1 });
    try {
      const [master] = cluster.brokers;
      const [slave] = cluster.slaves[0] ?? [];
      const route = await waitForRoute(cluster.namesrvAddress, 'TBW102', (r) =>
        r.brokerDatas.some((d) => d.brokerAddrs['1'] !== undefined),
      );
      expect(route.brokerDatas).toEqual([
        expect.objectContaining({
          brokerName: 'broker-a',
          brokerAddrs: { '0': master?.brokerAddress, '1': slave?.brokerAddress },
        }),
      ]);
    } finally {
      await cluster.stop();
    }
    await expect(startEmbeddedCluster({ slavesPerBroker: -1 })).rejects.toThrow(EmbeddedClusterError);
  });

  it("passes on a broker's start failure with what the broker printed", async () => {
    const failing = startEmbeddedCluster({ brokers: 2, brokerArgs: ['--flush', 'NOT_A_FLUSH_TYPE'] });
    await expect(failing).rejects.toBeInstanceOf(BrokerProcessError);
    await expect(failing).rejects.toThrow(/NOT_A_FLUSH_TYPE/);
  });
});
