import { AdminUsageError } from './admin-error.js';
import type { AdminClient } from './admin-client.js';
import type { CommandOption, OptionValues } from './command.js';
import { optionalText } from './option-values.js';

/** mqadmin's "-b broker address or -c cluster" pair for commands that change brokers. */
export const TARGET_OPTIONS: Readonly<Record<string, CommandOption>> = {
  'broker-addr': { short: 'b', type: 'string', arg: 'HOST:PORT', help: 'this broker only' },
  cluster: { short: 'c', type: 'string', arg: 'CLUSTER', help: 'every master broker of this cluster' },
};

/** label → address of the brokers a command should change. */
export async function resolveTargets(
  client: AdminClient,
  options: OptionValues,
): Promise<Map<string, string>> {
  const address = optionalText(options, 'broker-addr');
  if (address !== undefined) return new Map([[address, address]]);
  const cluster = optionalText(options, 'cluster');
  if (cluster === undefined) throw new AdminUsageError('give --broker-addr (-b) or --cluster (-c)');
  const masters = await client.masters(cluster);
  if (masters.size === 0) throw new AdminUsageError(`cluster ${cluster} has no master broker`);
  return masters;
}
