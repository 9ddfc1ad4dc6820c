import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { formatAddress, parseHostAddress } from '../../../src/remoting/address.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call } from '../../fixtures/broker/broker-fixture.js';

const free = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port whose neighbour two below is free too, found by asking the OS and checking. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    if (port > 1026 && (await free(port)) && (await free(port - 2))) return port;
  }
  throw new Error('no free port pair');
}

let broker: BrokerProcess | undefined;
afterAll(async () => {
  await broker?.dispose();
});

describe('VIP channel', () => {
  it('answers clients on listenPort - 2 as on listenPort, as RocketMQ brokers do for older Java clients', async () => {
    const port = await freePortPair();
    broker = await startBrokerProcess({ args: ['--listen', `127.0.0.1:${port}`] });
    const { address, port: bound } = parseHostAddress(broker.brokerAddress);
    expect(bound).toBe(port);
    const vip = formatAddress({ address, port: port - 2 });
    const response = await call(vip, RequestCode.GET_ALL_TOPIC_CONFIG);
    expect(response.code).toBe(ResponseCode.SUCCESS);
  });
});
