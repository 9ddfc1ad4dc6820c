import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type { Producer } from '../src/client/producer.js';
import type { BrokerProcess } from '../src/testing/broker-process.js';
import { builtClient, builtTesting } from './built.js';

const { createProducer } = builtClient;
const { startBrokerProcess } = builtTesting;

export type MasterRole = 'SYNC_MASTER' | 'ASYNC_MASTER';

/** A master and its slave, each a `node dist/broker` process, and a producer that has seen the pair work. */
export interface HaPair {
  readonly master: BrokerProcess;
  readonly slave: BrokerProcess;
  readonly producer: Producer;
  readonly dispose: () => Promise<void>;
}

/**
 * Starts the pair (stores under `storeRoot` when given, else temp dirs of their own) and sends `warmup`
 * messages of `body` to `topic` until that many were SEND_OK: a SYNC_MASTER answers SLAVE_NOT_AVAILABLE
 * until the slave has connected, and those quick answers must not count as sends.
 */
export async function startHaPair(
  role: MasterRole,
  topic: string,
  body: Buffer,
  warmup: number,
  storeRoot?: string,
): Promise<HaPair> {
  const store = (name: string): { storeDir?: string } =>
    storeRoot === undefined ? {} : { storeDir: join(storeRoot, name) };
  const master = await startBrokerProcess({
    ...store('master'),
    args: ['--broker-name', 'bench-ha', '--role', role],
  });
  const slave = await startBrokerProcess({
    ...store('slave'),
    namesrv: master.namesrvAddress,
    args: ['--broker-name', 'bench-ha', '--role', 'SLAVE', '--broker-id', '1'],
  }).catch(async (error: unknown) => {
    await master.dispose();
    throw error;
  });
  const producer = createProducer({ group: `bench-ha-${role}`, namesrv: master.namesrvAddress });
  const dispose = async (): Promise<void> => {
    await producer.shutdown();
    await slave.dispose();
    await master.dispose();
  };
  try {
    for (let ok = 0; ok < warmup;) {
      const result = await firstValueFrom(producer.send$({ topic, body }));
      if (result.status === 'SEND_OK') ok += 1;
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { master, slave, producer, dispose };
}
