import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BrokerProcessError } from '../errors.js';
import { exitOf, terminate } from './child-lifetime.js';

export interface NameServerProcessOptions {
  /** How long to wait for `name server listening on` (30 s). */
  readonly startTimeoutMs?: number;
  /** The built entry point; by default this package's dist/broker/index.js. */
  readonly entry?: string;
}

/** A `node dist/broker namesrv` child process. */
export interface NameServerProcess {
  readonly address: string;
  readonly pid: number | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
}

const DEFAULT_ENTRY = fileURLToPath(new URL('../../dist/broker/index.js', import.meta.url));
const STOP_TIMEOUT_MS = 30_000;
const STDERR_LINES_KEPT = 40;

/** Starts a name server alone on a free loopback port and resolves once it printed its address. */
export function startNameServerProcess(options: NameServerProcessOptions = {}): Promise<NameServerProcess> {
  const entry = options.entry ?? DEFAULT_ENTRY;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(
    process.execPath,
    [entry, 'namesrv', '--listen', '127.0.0.1:0', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
  });
  const exited = exitOf(child);
  const stop = async (): Promise<void> => {
    await terminate(child, exited, STOP_TIMEOUT_MS);
  };
  return new Promise<NameServerProcess>((resolve, reject) => {
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `the name server printed no address within ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      failure ??= `cannot run ${entry}: ${error.message}`;
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new BrokerProcessError(failure ?? 'the name server exited before it listened', stderr.join('\n')),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^name server listening on (\S+)$/.exec(line);
      if (listening === null) return;
      clearTimeout(timer);
      resolve({ address: listening[1]!, pid: child.pid, stop });
    });
  });
}
