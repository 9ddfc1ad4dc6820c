import { runAdmin } from '../../../src/admin/cli.js';

export interface AdminRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** One `rxrocket admin` command line, run in this process with its output captured. */
export async function admin(namesrv: string, ...argv: string[]): Promise<AdminRun> {
  let out = '';
  let err = '';
  const code = await runAdmin([...argv, '-n', namesrv], {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
  });
  return { code, out, err };
}

/** The same with --json, parsed; fails the test when the command failed. */
export async function adminJson<T>(namesrv: string, ...argv: string[]): Promise<T> {
  const run = await admin(namesrv, ...argv, '--json');
  if (run.code !== 0) throw new Error(`admin ${argv.join(' ')} exited ${run.code}: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** The rows of an aligned table (header first), split on runs of two or more spaces. */
export function tableRows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));
}
