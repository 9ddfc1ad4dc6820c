/**
 * `rxrocket admin <command> [flags]` (also `node dist/broker admin ...`): RocketMQ's mqadmin over the
 * remoting protocol. Results go to stdout, aligned for people or as JSON with --json; errors are one line
 * on stderr. Exit 0 on success, 1 when a server is unreachable or refuses, 2 for a wrong command or flag.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { RemotingConnectionError, RemotingTimeoutError } from '../errors.js';
import { AdminClient } from './admin-client.js';
import { AdminUsageError } from './admin-error.js';
import { type AdminCommand, type CommandOption, parseArgsOptions } from './command.js';
import { ADMIN_COMMANDS } from './commands/index.js';
import { intOption } from './option-values.js';

export interface AdminIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** NAMESRV_ADDR, as mqadmin reads it. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const COMMON_OPTIONS: Readonly<Record<string, CommandOption>> = {
  namesrv: {
    short: 'n',
    type: 'string',
    arg: 'A:9876;B:9876',
    help: 'name servers (default $NAMESRV_ADDR, else 127.0.0.1:9876)',
  },
  json: { type: 'boolean', help: 'print JSON instead of tables' },
  timeout: { type: 'string', arg: 'MS', help: 'per-request time limit (default 5000)' },
  help: { short: 'h', type: 'boolean', help: 'this text' },
};

function optionLines(options: Readonly<Record<string, CommandOption>>): string[] {
  const heads = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short === undefined ? '    ' : `-${o.short}, `}--${name}${o.arg === undefined ? '' : ` ${o.arg}`}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...heads.map(([flag]) => flag.length));
  return heads.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

export function commandHelp(command: AdminCommand): string {
  return [
    `Usage: rxrocket admin ${command.name} [flags]`,
    '',
    `${command.summary}.`,
    '',
    ...optionLines(command.options),
    ...optionLines(COMMON_OPTIONS),
  ].join('\n');
}

export function adminHelp(): string {
  const width = Math.max(...ADMIN_COMMANDS.map((c) => c.name.length));
  return [
    'Usage: rxrocket admin COMMAND [flags]     (or: node dist/broker admin COMMAND [flags])',
    '',
    'Commands:',
    ...ADMIN_COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes -n/--namesrv, --json, --timeout and --help.',
  ].join('\n');
}

function describe(error: unknown): string {
  if (error instanceof RemotingConnectionError) return `cannot reach ${error.message}`;
  if (error instanceof RemotingTimeoutError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Runs one admin command line; resolves the process exit code. */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(`${adminHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = ADMIN_COMMANDS.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (command === undefined) {
    io.stderr(`rxrocket admin: unknown command "${name}"; see rxrocket admin --help\n`);
    return 2;
  }
  const options: ParseArgsConfig['options'] = parseArgsOptions({ ...COMMON_OPTIONS, ...command.options });
  let values;
  try {
    ({ values } = parseArgs({ args: [...rest], options, allowPositionals: false, strict: true }));
  } catch (error) {
    io.stderr(`rxrocket admin ${command.name}: ${(error as Error).message}; see --help\n`);
    return 2;
  }
  const typed = values as Record<string, string | boolean | undefined>;
  if (typed.help === true) {
    io.stdout(`${commandHelp(command)}\n`);
    return 0;
  }
  let client: AdminClient | undefined;
  try {
    const namesrv =
      (typeof typed.namesrv === 'string' ? typed.namesrv : undefined) ??
      io.env.NAMESRV_ADDR ??
      '127.0.0.1:9876';
    const addresses = namesrv
      .split(';')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (addresses.length === 0) throw new AdminUsageError('--namesrv: no address given');
    client = new AdminClient(addresses, intOption(typed, 'timeout', 5000, 1));
    const output = await command.run(client, typed);
    io.stdout(`${typed.json === true ? JSON.stringify(output.json, null, 2) : output.text}\n`);
    return 0;
  } catch (error) {
    io.stderr(`rxrocket admin ${command.name}: ${describe(error)}\n`);
    if (error instanceof AdminUsageError) {
      io.stderr(`see rxrocket admin ${command.name} --help\n`);
      return 2;
    }
    return 1;
  } finally {
    await client?.close();
  }
}

/** The process entry: real stdout, stderr and environment. */
export function runAdminCli(argv: readonly string[]): Promise<number> {
  return runAdmin(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
