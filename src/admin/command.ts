import type { ParseArgsConfig } from 'node:util';
import type { AdminClient } from './admin-client.js';

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandOption {
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** Shown in --help, e.g. "-t, --topic TOPIC   the topic (required)". */
  readonly help: string;
  readonly arg?: string;
}

/** What a command prints: a text (aligned tables) for people, `json` for --json. */
export interface CommandOutput {
  readonly text: string;
  readonly json: unknown;
}

export interface AdminCommand {
  readonly name: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  run(client: AdminClient, options: OptionValues): Promise<CommandOutput>;
}

export function parseArgsOptions(options: AdminCommand['options']): ParseArgsConfig['options'] {
  const result: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, option] of Object.entries(options)) {
    result[name] =
      option.short === undefined ? { type: option.type } : { type: option.type, short: option.short };
  }
  return result;
}
