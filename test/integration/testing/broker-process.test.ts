import { access, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BrokerProcessError } from '../../../src/errors.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call, routeOf } from '../../fixtures/broker/broker-fixture.js';

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));
const gone = (path: string) =>
  access(path).then(
    () => false,
    () => true,
  );

describe('startBrokerProcess', () => {
  it('kills, restarts on the same store and ports, and removes its temp dir on dispose', async () => {
    const broker = await startBrokerProcess();
    try {
      const ports = [broker.namesrvAddress, broker.brokerAddress, broker.haAddress].map(portOf);
      expect(ports.every((p) => p > 0)).toBe(true);
      await broker.kill();
      expect(await readdir(broker.storeDir)).toContain('abort');
      await broker.restart();
      expect([broker.namesrvAddress, broker.brokerAddress, broker.haAddress].map(portOf)).toEqual(ports);
      expect((await routeOf(broker.namesrvAddress, 'TBW102'))?.brokerDatas[0]?.brokerAddrs['0']).toBe(
        broker.brokerAddress,
      );
      expect(await broker.stop()).toBe(0);
      expect(await readdir(broker.storeDir)).not.toContain('abort');
    } finally {
      await broker.dispose();
    }
    expect(await gone(broker.storeDir)).toBe(true);
  });

  it('restarts on other ports when its old broker port was taken meanwhile', async () => {
    const broker = await startBrokerProcess();
    const squatter = createServer();
    try {
      await broker.stop();
      const old = broker.brokerAddress;
      await new Promise<void>((resolve) => squatter.listen(portOf(old), '127.0.0.1', resolve));
      await broker.restart();
      expect(broker.brokerAddress).not.toBe(old);
      const response = await call(broker.brokerAddress, RequestCode.GET_ALL_TOPIC_CONFIG);
      expect(response.code).toBe(ResponseCode.SUCCESS);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await broker.dispose();
    }
  });

  it('starts a broker whose name server is down; registration is retried, never fatal', async () => {
    const broker = await startBrokerProcess({ namesrv: '127.0.0.1:1' });
    try {
      expect(broker.namesrvAddress).toBe('127.0.0.1:1');
      const response = await call(broker.brokerAddress, RequestCode.GET_ALL_TOPIC_CONFIG);
      expect(response.code).toBe(ResponseCode.SUCCESS);
    } finally {
      await broker.dispose();
    }
  });

  it('rejects with the reason from stderr when the broker cannot start', async () => {
    const error: unknown = await startBrokerProcess({ args: ['--set', 'maxMessageSize=0'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BrokerProcessError);
    expect((error as BrokerProcessError).message).toMatch(/exited with code 2/);
    expect((error as BrokerProcessError).stderr).toMatch(/maxMessageSize: must be positive/);
  });
});
