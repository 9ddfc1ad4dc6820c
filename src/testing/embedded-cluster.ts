import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RxRocketError } from '../errors.js';
import { type BrokerProcess, startBrokerProcess } from './broker-process.js';
import { type NameServerProcess, startNameServerProcess } from './name-server-process.js';

export interface EmbeddedClusterOptions {
  /** Master brokers, named broker-a, broker-b, ... (1). */
  readonly brokers?: number;
  /** Slaves per master (0): brokerIds 1, 2, ... under the master's name, replicating from it. */
  readonly slavesPerBroker?: number;
  /** brokerClusterName (DefaultCluster). */
  readonly clusterName?: string;
  /** More flags for every broker, e.g. ['--set', 'messageDelayLevel=1s 2s']. */
  readonly brokerArgs?: readonly string[];
  readonly startTimeoutMs?: number;
  /** The built entry point; by default this package's dist/broker/index.js. */
  readonly entry?: string;
}

/** A name server and its brokers as child processes on free loopback ports, their stores under one temp dir. */
export interface EmbeddedCluster {
  /** Where producers and consumers point. */
  readonly namesrvAddress: string;
  readonly nameServer: NameServerProcess;
  /** The masters, in name order. */
  readonly brokers: readonly BrokerProcess[];
  /** Each master's slaves, in the masters' order. */
  readonly slaves: readonly (readonly BrokerProcess[])[];
  readonly brokerNames: readonly string[];
  readonly baseDir: string;
  /** Stops every process and removes the temp dir. */
  stop(): Promise<void>;
}

/** Asked for something the broker cannot do yet. */
export class EmbeddedClusterError extends RxRocketError {
  override readonly name = 'EmbeddedClusterError';
  constructor(message: string) {
    super('ERR_EMBEDDED_CLUSTER', message);
  }
}

const brokerName = (index: number): string =>
  `broker-${index < 26 ? String.fromCharCode(97 + index) : String(index)}`;

/**
 * Starts a name server, then the brokers joined to it, in parallel. If any fails to start, everything
 * already started is stopped and removed before the error is passed on.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions = {}): Promise<EmbeddedCluster> {
  const count = options.brokers ?? 1;
  if (!Number.isInteger(count) || count < 1)
    throw new EmbeddedClusterError(`brokers must be a positive integer, got ${count}`);
  const slavesPerBroker = options.slavesPerBroker ?? 0;
  if (!Number.isInteger(slavesPerBroker) || slavesPerBroker < 0)
    throw new EmbeddedClusterError(`slavesPerBroker must be a whole number, got ${slavesPerBroker}`);
  const baseDir = await mkdtemp(join(tmpdir(), 'rxrocket-cluster-'));
  const launch = {
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    ...(options.entry === undefined ? {} : { entry: options.entry }),
  };
  let nameServer: NameServerProcess | undefined;
  const started: BrokerProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((broker) => broker.stop()));
    await nameServer?.stop();
    await rm(baseDir, { recursive: true, force: true });
  };
  try {
    nameServer = await startNameServerProcess(launch);
    const namesrv = nameServer.address;
    const names = Array.from({ length: count }, (_, i) => brokerName(i));
    const start = async (name: string, dir: string, role: readonly string[]): Promise<BrokerProcess> => {
      const broker = await startBrokerProcess({
        ...launch,
        namesrv,
        storeDir: join(baseDir, dir),
        args: [
          '--broker-name',
          name,
          '--cluster',
          options.clusterName ?? 'DefaultCluster',
          ...(options.brokerArgs ?? []),
          ...role,
        ],
      });
      started.push(broker);
      return broker;
    };
    const startAll = async <T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> => {
      const results = await Promise.allSettled(jobs.map((job) => job()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return results.map((r) => (r as PromiseFulfilledResult<T>).value);
    };
    const brokers = await startAll(names.map((name) => () => start(name, name, [])));
    // Slaves after their masters: a slave learns its master's HA address from the name server.
    const slaves = await startAll(
      names.map(
        (name) => () =>
          startAll(
            Array.from(
              { length: slavesPerBroker },
              (_, k) => () =>
                start(name, `${name}-s${k + 1}`, ['--role', 'SLAVE', '--broker-id', String(k + 1)]),
            ),
          ),
      ),
    );
    return {
      namesrvAddress: namesrv,
      nameServer,
      brokers,
      slaves,
      brokerNames: names,
      baseDir,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
