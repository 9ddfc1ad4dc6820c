import { decodeKvTable } from '../../protocol/headers/namesrv-bodies.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { formatKeyValues } from '../table.js';
import { TARGET_OPTIONS, resolveTargets } from '../targets.js';

export const brokerStatus: AdminCommand = {
  name: 'brokerStatus',
  summary: "a broker's runtime figures (GET_BROKER_RUNTIME_INFO)",
  options: TARGET_OPTIONS,
  async run(client, options) {
    const targets = await resolveTargets(client, options);
    const json: Record<string, Record<string, string>> = {};
    const blocks: string[] = [];
    for (const [label, address] of targets) {
      const { table } = decodeKvTable(
        (await client.invoke(address, RequestCode.GET_BROKER_RUNTIME_INFO)).body,
      );
      json[address] = { ...table };
      const lines = formatKeyValues(
        Object.keys(table)
          .sort()
          .map((key) => [key, table[key]] as const),
      );
      blocks.push(targets.size === 1 ? lines : `${label} ${address}\n${lines}`);
    }
    return { json, text: blocks.join('\n\n') };
  },
};
