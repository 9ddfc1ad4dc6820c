import type { ChildProcess } from 'node:child_process';

/**
 * Settles with `child`'s exit code once it has exited. Until then the child is tied to this process: a test
 * run or bench that ends (or fails) without stopping it SIGKILLs it rather than leaving it behind.
 */
export function exitOf(child: ChildProcess): Promise<number | null> {
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    });
  });
}

/** SIGTERM (unless it has exited already), SIGKILL after `graceMs`; settles with `exited`'s exit code. */
export async function terminate(
  child: ChildProcess,
  exited: Promise<number | null>,
  graceMs: number,
): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(forced);
  return code;
}
