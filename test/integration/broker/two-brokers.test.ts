import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NameServer, startNameServer } from '../../../src/broker/namesrv/namesrv.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { silentLogger } from '../../../src/logger.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { createTopic, routeOf } from '../../fixtures/broker/broker-fixture.js';

let namesrv: NameServer;
let brokerA: BrokerProcess;
let brokerB: BrokerProcess;
let producer: Producer;

beforeAll(async () => {
  namesrv = await startNameServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  [brokerA, brokerB] = await Promise.all([
    startBrokerProcess({ namesrv: namesrv.address, args: ['--broker-name', 'broker-a'] }),
    startBrokerProcess({ namesrv: namesrv.address, args: ['--broker-name', 'broker-b'] }),
  ]);
  producer = createProducer({ group: 'pg', namesrv: namesrv.address });
});

afterAll(async () => {
  await producer.shutdown();
  await Promise.all([brokerA.dispose(), brokerB.dispose()]);
  await namesrv.close();
});

const sendMany = (count: number, from: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      firstValueFrom(producer.send$({ topic: 'Shared', body: `m${from + i}` })),
    ),
  );

describe('two broker processes, one name server', () => {
  it('both register, and a topic created on both is routed to both', async () => {
    await Promise.all([
      createTopic(brokerA.brokerAddress, 'Shared', 4),
      createTopic(brokerB.brokerAddress, 'Shared', 4),
    ]);
    const route = await routeOf(namesrv.address, 'Shared');
    expect(route?.brokerDatas.map((b) => b.brokerName).sort()).toEqual(['broker-a', 'broker-b']);
    expect(route?.brokerDatas.find((b) => b.brokerName === 'broker-b')?.brokerAddrs['0']).toBe(
      brokerB.brokerAddress,
    );
    const results = await sendMany(40, 0);
    expect(new Set(results.map((r) => r.messageQueue.brokerName))).toEqual(new Set(['broker-a', 'broker-b']));
  });

  it('keeps sending through the other broker when one is killed', async () => {
    await brokerB.kill();
    const results = await sendMany(40, 100);
    expect(results.every((r) => r.status === 'SEND_OK')).toBe(true);
    expect(new Set(results.map((r) => r.messageQueue.brokerName))).toEqual(new Set(['broker-a']));
    // The name server dropped broker-b when its connection closed.
    const route = await routeOf(namesrv.address, 'Shared');
    expect(route?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
  });
});
