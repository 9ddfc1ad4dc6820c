import { decodeKvTable } from '../../protocol/headers/namesrv-bodies.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminClient } from '../admin-client.js';
import type { AdminCommand } from '../command.js';
import { optionalText } from '../option-values.js';
import { formatTable } from '../table.js';

async function runtimeInfo(client: AdminClient, address: string): Promise<Record<string, string>> {
  try {
    return {
      ...decodeKvTable((await client.invoke(address, RequestCode.GET_BROKER_RUNTIME_INFO)).body).table,
    };
  } catch {
    // A broker registered but not answering still belongs in the list; its columns stay empty.
    return {};
  }
}

export const clusterList: AdminCommand = {
  name: 'clusterList',
  summary: 'every broker of each cluster: id, address, version, messages put and got since start',
  options: {
    cluster: { short: 'c', type: 'string', arg: 'CLUSTER', help: 'only this cluster' },
  },
  async run(client, options) {
    const only = optionalText(options, 'cluster');
    const info = await client.clusterInfo();
    const rows = [];
    for (const cluster of Object.keys(info.clusterAddrTable).sort()) {
      if (only !== undefined && cluster !== only) continue;
      for (const brokerName of [...(info.clusterAddrTable[cluster] ?? [])].sort()) {
        const addrs = info.brokerAddrTable[brokerName]?.brokerAddrs ?? {};
        for (const id of Object.keys(addrs).sort((a, b) => Number(a) - Number(b))) {
          const address = addrs[id]!;
          const runtime = await runtimeInfo(client, address);
          rows.push({
            cluster,
            brokerName,
            brokerId: Number(id),
            address,
            version: runtime.brokerVersionDesc ?? '',
            putTotal: Number(runtime.msgPutTotalTodayNow ?? 0),
            getTotal: Number(runtime.msgGetTotalTodayNow ?? 0),
          });
        }
      }
    }
    return {
      json: rows,
      text: formatTable(
        ['#Cluster Name', '#Broker Name', '#BID', '#Addr', '#Version', '#PutTotal', '#GetTotal'],
        rows.map((r) => [r.cluster, r.brokerName, r.brokerId, r.address, r.version, r.putTotal, r.getTotal]),
      ),
    };
  },
};
