import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstValueFrom } from 'rxjs';
import type * as RemotingModule from '../src/remoting/client.js';
import type * as CommandModule from '../src/protocol/remoting-command.js';
import type * as BodiesModule from '../src/protocol/headers/namesrv-bodies.js';
import { type MasterRole, startHaPair } from './ha-pair.js';
import type { BenchReport } from './report.js';
import { percentile, secondsSince, sendInFlight, sendSerially } from './send-timing.js';

/**
 * A master and its slave, each in its own process (`node dist/broker`, ASYNC_FLUSH, temp stores), once as
 * SYNC_MASTER and once as ASYNC_MASTER: 1 KiB sends one in flight (rate, latency percentiles) and 256 in
 * flight, then the replication lag: how long after the last acknowledgement the slave's CommitLog reaches
 * the master's end (GET_BROKER_RUNTIME_INFO's commitLogMaxOffset, polled every 5 ms).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const { createRemotingClient } = await load<typeof RemotingModule>('dist/remoting/client.js');
const { createRequest } = await load<typeof CommandModule>('dist/protocol/remoting-command.js');
const { decodeKvTable } = await load<typeof BodiesModule>('dist/protocol/headers/namesrv-bodies.js');

const TOPIC = 'BenchHa';
const BODY = Buffer.alloc(1024, 0x68);
const RUNTIME_INFO = 28;
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const logger = { ...silent, child: () => logger };

async function rolePair(role: MasterRole, report: BenchReport): Promise<void> {
  const { master, slave, producer, dispose } = await startHaPair(role, TOPIC, BODY, 2000);
  const remoting = createRemotingClient({ logger });
  const maxOffset = async (address: string): Promise<number> => {
    const response = await firstValueFrom(remoting.invoke$(address, createRequest(RUNTIME_INFO), 5000));
    return Number(decodeKvTable(response.body).table.commitLogMaxOffset ?? -1);
  };
  try {
    const serialCount = 5000;
    report.progress(`${role}, one in flight: ${serialCount}`);
    const { seconds: serial, latencies } = await sendSerially(
      producer,
      { topic: TOPIC, body: BODY },
      serialCount,
    );
    report.add({
      name: `${role} + slave: send$ 1KiB, 1 in flight`,
      figures: {
        'msgs/s': serialCount / serial,
        'p50 ms': percentile(latencies, 50),
        'p99 ms': percentile(latencies, 99),
      },
    });

    const parallelCount = 50_000;
    report.progress(`${role}, 256 in flight: ${parallelCount}`);
    const parallel = await sendInFlight(producer, { topic: TOPIC, body: BODY }, parallelCount, 256);
    const acknowledged = process.hrtime.bigint();
    const target = await maxOffset(master.brokerAddress);
    while ((await maxOffset(slave.brokerAddress)) < target) await new Promise((r) => setTimeout(r, 5));
    report.add({
      name: `${role} + slave: send$ 1KiB, 256 in flight`,
      figures: {
        'msgs/s': parallelCount / parallel,
        'MB/s': (parallelCount * BODY.length) / parallel / 1e6,
        'lag ms': secondsSince(acknowledged) * 1000,
      },
    });
  } finally {
    await remoting.close();
    await dispose();
  }
}

export async function run(report: BenchReport): Promise<void> {
  await rolePair('SYNC_MASTER', report);
  await rolePair('ASYNC_MASTER', report);
}
