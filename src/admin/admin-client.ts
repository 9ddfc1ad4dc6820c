/**
 * The admin tool's connection to a cluster: requests to the name servers (the first that answers) and to
 * brokers by address, each answered with SUCCESS or turned into an MQBrokerError carrying the code.
 */
import { firstValueFrom } from 'rxjs';
import { MQBrokerError, RemotingConnectionError, RemotingTimeoutError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { BrokerData, ClusterInfo, TopicRouteData } from '../protocol/headers/namesrv-bodies.js';
import { decodeClusterInfo, decodeTopicRouteData } from '../protocol/headers/namesrv-bodies.js';
import { encodeGetRouteInfoRequestHeader } from '../protocol/headers/namesrv.js';
import { type ExtFields, type RemotingCommand, createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import { type RemotingClient, createRemotingClient } from '../remoting/client.js';

export interface AdminRequest {
  readonly extFields?: ExtFields;
  readonly body?: Uint8Array;
  /** Response codes other than SUCCESS that are answers, not failures (QUERY_NOT_FOUND, ...). */
  readonly accept?: readonly number[];
}

/** The master's address of a broker set, else any of its addresses. */
export function masterAddress(broker: BrokerData): string | undefined {
  return broker.brokerAddrs['0'] ?? Object.values(broker.brokerAddrs)[0];
}

export class AdminClient {
  private readonly remoting: RemotingClient;

  constructor(
    readonly namesrvAddresses: readonly string[],
    private readonly timeoutMs: number,
  ) {
    this.remoting = createRemotingClient({ logger: silentLogger, connectTimeoutMs: timeoutMs });
  }

  async invoke(address: string, code: number, request: AdminRequest = {}): Promise<RemotingCommand> {
    const response = await firstValueFrom(
      this.remoting.invoke$(
        address,
        createRequest(code, { extFields: request.extFields, body: request.body }),
        this.timeoutMs,
      ),
    );
    if (response.code !== ResponseCode.SUCCESS && !(request.accept ?? []).includes(response.code)) {
      throw new MQBrokerError(response.code, response.remark ?? '', address);
    }
    return response;
  }

  /** The first name server that can be reached answers; a refusal by one of them is final. */
  async invokeNamesrv(code: number, request: AdminRequest = {}): Promise<RemotingCommand> {
    let lastError: unknown = new RemotingConnectionError('', 'no name server address given', {
      retriable: false,
    });
    for (const address of this.namesrvAddresses) {
      try {
        return await this.invoke(address, code, request);
      } catch (error) {
        if (!(error instanceof RemotingConnectionError) && !(error instanceof RemotingTimeoutError))
          throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  async clusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.invokeNamesrv(RequestCode.GET_BROKER_CLUSTER_INFO)).body);
  }

  async topicRoute(topic: string): Promise<TopicRouteData> {
    const response = await this.invokeNamesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, {
      extFields: encodeGetRouteInfoRequestHeader({ topic }),
    });
    return decodeTopicRouteData(response.body);
  }

  /** brokerName → master address, for every broker of `cluster` (all clusters when undefined). */
  async masters(cluster?: string): Promise<Map<string, string>> {
    const info = await this.clusterInfo();
    const names =
      cluster === undefined ? Object.keys(info.brokerAddrTable) : [...(info.clusterAddrTable[cluster] ?? [])];
    if (cluster !== undefined && info.clusterAddrTable[cluster] === undefined) {
      throw new MQBrokerError(ResponseCode.SYSTEM_ERROR, `no cluster named ${cluster}`);
    }
    const result = new Map<string, string>();
    for (const name of names.sort()) {
      const broker = info.brokerAddrTable[name];
      const address = broker === undefined ? undefined : masterAddress(broker);
      if (address !== undefined) result.set(name, address);
    }
    return result;
  }

  /** brokerName → master address, for the brokers serving `topic`. */
  async topicMasters(topic: string): Promise<Map<string, string>> {
    const route = await this.topicRoute(topic);
    const result = new Map<string, string>();
    for (const broker of [...route.brokerDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
      const address = masterAddress(broker);
      if (address !== undefined) result.set(broker.brokerName, address);
    }
    return result;
  }

  close(): Promise<void> {
    return this.remoting.close();
  }
}
