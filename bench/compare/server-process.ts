import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { exitOf, terminate } from '../../src/testing/child-lifetime.js';

/** A peer's server (redis-server, nats-server) that the comparison started and must not leave behind. */
export interface ServerProcess {
  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const LINES_KEPT = 30;

/**
 * Spawns `command` and resolves once a line of its output matches `ready`. A process that exits first, or
 * prints no such line within `timeoutMs`, rejects with its last output lines. The process is SIGKILLed
 * when this one exits, so an error or Ctrl-C in the bench leaves no server running.
 */
export function startServerProcess(
  command: string,
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 15_000,
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const stop = async (graceMs = 10_000): Promise<void> => {
    await terminate(child, exited, graceMs);
  };
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${reason}\n${output.join('\n')}`));
    };
    const timer = setTimeout(() => {
      fail(`not ready within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', (error) => {
      fail(error.message);
    });
    void exited.then(() => {
      fail(`exited with code ${child.exitCode ?? child.signalCode} before it was ready`);
    });
    const onLine = (line: string): void => {
      output.push(line);
      if (output.length > LINES_KEPT) output.shift();
      if (settled || !ready.test(line)) return;
      settled = true;
      clearTimeout(timer);
      resolve({ stop });
    };
    if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine);
    if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', onLine);
  });
}
