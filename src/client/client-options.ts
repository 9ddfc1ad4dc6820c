import { type SchedulerLike, asyncScheduler } from 'rxjs';
import { type Logger, silentLogger } from '../logger.js';

/** What every producer and consumer shares; those with equal `namesrv` and `instanceName` share one instance. */
export interface ClientOptions {
  /** Name server addresses, RocketMQ style: "host:9876;host2:9876". */
  readonly namesrv: string;
  readonly instanceName?: string;
  readonly clientIP?: string;
  /** Per-call timeout for name server and broker requests (RocketMQ's mqClientApiTimeout). */
  readonly requestTimeoutMs?: number;
  readonly pollNameServerIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly logger?: Logger;
  readonly scheduler?: SchedulerLike;
}

export interface ResolvedClientOptions {
  readonly namesrvAddresses: readonly string[];
  readonly instanceName: string;
  readonly clientIP: string;
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly pollNameServerIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

export function parseNamesrvAddresses(namesrv: string): string[] {
  return namesrv
    .split(';')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const namesrvAddresses = parseNamesrvAddresses(options.namesrv);
  if (namesrvAddresses.length === 0) throw new RangeError(`no name server address in "${options.namesrv}"`);
  // RocketMQ replaces the DEFAULT instance name with pid#nanotime so two processes on a host never share an id.
  const instanceName = options.instanceName ?? `${process.pid}#${process.hrtime.bigint()}`;
  const clientIP = options.clientIP ?? '127.0.0.1';
  return {
    namesrvAddresses,
    instanceName,
    clientIP,
    clientId: `${clientIP}@${instanceName}`,
    requestTimeoutMs: options.requestTimeoutMs ?? 3000,
    pollNameServerIntervalMs: options.pollNameServerIntervalMs ?? 30_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
    logger: options.logger ?? silentLogger,
    scheduler: options.scheduler ?? asyncScheduler,
  };
}
