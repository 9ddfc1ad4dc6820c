import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Observable, Subject } from 'rxjs';
import { BrokerProcessError } from '../errors.js';
import { exitOf, terminate } from './child-lifetime.js';

export interface BrokerProcessOptions {
  /** The store directory; by default a new temp dir, removed by dispose(). */
  readonly storeDir?: string;
  /** Name servers to join ("a:9876;b:9876"); without it the process runs its own (dev mode). */
  readonly namesrv?: string;
  /** More flags, after ours so they win: ['--broker-name', 'b2', '--no-auto-create-topic', '--set', 'k=v']. */
  readonly args?: readonly string[];
  /** How long to wait for `broker ready` (30 s). */
  readonly startTimeoutMs?: number;
  /** The built entry point; by default this package's dist/broker/index.js. */
  readonly entry?: string;
}

/** A `node dist/broker` child process, as tests and benchmarks drive one. */
export interface BrokerProcess {
  /** Where producers and consumers point: the embedded name server, or the ones joined. */
  readonly namesrvAddress: string;
  readonly brokerAddress: string;
  readonly haAddress: string;
  /** The metrics endpoint's "host:port" when started with `--metrics-port`, else ''. */
  readonly metricsAddress: string;
  readonly storeDir: string;
  readonly pid: number | undefined;
  /** Each line the process writes to stderr (its JSON log lines), across restarts, as it arrives. */
  readonly stderr$: Observable<string>;
  /** SIGTERM (a clean shutdown), then waits for the exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash: the store recovers at the next start), then waits for the exit. */
  kill(): Promise<void>;
  /** Stops the process if it runs and starts it again on the same store, on the same ports when still free. */
  restart(): Promise<void>;
  /** Kills the process if it runs and removes the store directory if this launcher made it. */
  dispose(): Promise<void>;
}

const DEFAULT_ENTRY = fileURLToPath(new URL('../../dist/broker/index.js', import.meta.url));
const STDERR_LINES_KEPT = 40;
const STOP_TIMEOUT_MS = 30_000;

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly namesrvAddress: string;
  readonly brokerAddress: string;
  readonly haAddress: string;
  readonly metricsAddress: string;
}

const portOf = (address: string): string => address.slice(address.lastIndexOf(':') + 1);

/** Spawns the broker and resolves once it printed `broker ready`, with the addresses it printed before. */
function launch(
  entry: string,
  flags: readonly string[],
  timeoutMs: number,
  stderrLines: Subject<string>,
): Promise<Running> {
  const child = spawn(process.execPath, [entry, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrLines.next(line);
    stderr.push(line);
    if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
  });
  const exited = exitOf(child);
  return new Promise<Running>((resolve, reject) => {
    const printed = new Map<string, string>();
    let failure: string | undefined;
    const fail = (message: string): void => {
      failure ??= message;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      fail(`the broker process printed no "broker ready" within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', (error) => {
      fail(`cannot run ${entry}: ${error.message}`);
    });
    // Rejecting at the exit, not before, lets the last stderr lines (the reason) arrive first.
    void exited.then((code) => {
      clearTimeout(timer);
      const message = failure ?? `the broker process exited with code ${code} before it was ready`;
      reject(new BrokerProcessError(message, stderr.join('\n')));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^(name server|broker|ha|metrics) listening on (\S+)$/.exec(line);
      if (listening !== null) printed.set(listening[1]!, listening[2]!);
      if (line !== 'broker ready') return;
      clearTimeout(timer);
      resolve({
        child,
        exited,
        namesrvAddress: printed.get('name server') ?? '',
        brokerAddress: printed.get('broker') ?? '',
        haAddress: printed.get('ha') ?? '',
        metricsAddress: printed.get('metrics') ?? '',
      });
    });
  });
}

/**
 * Starts `node dist/broker` on free loopback ports with its store in a temp dir (or `storeDir`), in dev
 * mode with its own name server unless `namesrv` is given, and resolves once it is ready. Call dispose()
 * when done: it kills a process still running and removes the temp dir.
 */
export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const entry = options.entry ?? DEFAULT_ENTRY;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const ownsDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'rxrocket-broker-')));
  const flagsFor = (ports: { namesrv: string; broker: string; ha: string }): string[] => [
    ...(options.namesrv === undefined
      ? ['--namesrv-listen', `127.0.0.1:${ports.namesrv}`]
      : ['--namesrv', options.namesrv]),
    ...['--listen', `127.0.0.1:${ports.broker}`, '--ha-listen', `127.0.0.1:${ports.ha}`],
    ...['--store-dir', storeDir, '--log-level', 'warn'],
    ...(options.args ?? []),
  ];
  const anyPorts = { namesrv: '0', broker: '0', ha: '0' };
  const stderrLines = new Subject<string>();
  let running: Running | undefined;
  try {
    running = await launch(entry, flagsFor(anyPorts), timeoutMs, stderrLines);
  } catch (error) {
    if (ownsDir) await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  let last: Running = running;

  const stop = async (): Promise<number | null> => {
    const current = running;
    if (current === undefined) return last.exited;
    running = undefined;
    return terminate(current.child, current.exited, STOP_TIMEOUT_MS);
  };
  const kill = async (): Promise<void> => {
    const current = running;
    if (current === undefined) return;
    running = undefined;
    current.child.kill('SIGKILL');
    await current.exited;
  };

  return {
    get namesrvAddress() {
      return options.namesrv ?? last.namesrvAddress;
    },
    get brokerAddress() {
      return last.brokerAddress;
    },
    get haAddress() {
      return last.haAddress;
    },
    get metricsAddress() {
      return last.metricsAddress;
    },
    get pid() {
      return running?.child.pid;
    },
    stderr$: stderrLines.asObservable(),
    storeDir,
    stop,
    kill,
    restart: async () => {
      await stop();
      const samePorts = {
        namesrv: last.namesrvAddress === '' ? '0' : portOf(last.namesrvAddress),
        broker: portOf(last.brokerAddress),
        ha: portOf(last.haAddress),
      };
      // Someone may have taken a port in between; then any free ones do.
      running = await launch(entry, flagsFor(samePorts), timeoutMs, stderrLines).catch(() =>
        launch(entry, flagsFor(anyPorts), timeoutMs, stderrLines),
      );
      last = running;
    },
    dispose: async () => {
      await kill();
      if (ownsDir) await rm(storeDir, { recursive: true, force: true });
    },
  };
}
