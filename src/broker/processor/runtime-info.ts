/**
 * GET_BROKER_RUNTIME_INFO (28): the KVTable mqadmin's brokerStatus prints and clusterList reads, with the
 * keys of Java's AdminBrokerProcessor.prepareRuntimeInfo that this broker can fill.
 */
import { encodeKvTable } from '../../protocol/headers/namesrv-bodies.js';
import { OUR_VERSION, createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { BrokerConfig } from '../config.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

export interface RuntimeInfoDeps {
  readonly config: Pick<BrokerConfig, 'brokerRole' | 'flushDiskType'>;
  readonly store: Pick<MessageStore, 'minPhysicalOffset' | 'maxPhysicalOffset' | 'dispatchBehindBytes'>;
  readonly totals: { readonly putTotal: number; readonly getTotal: number };
  readonly diskUsedRatio: () => Promise<number>;
  readonly bootTimestamp: number;
  readonly now: () => number;
}

/** Java's "[ d days, h hours, m minutes, s seconds ]". */
export function formatRuntime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `[ ${days} days, ${hours} hours, ${minutes} minutes, ${seconds % 60} seconds ]`;
}

/**
 * Java's "tps over 10 s, 1 min, 10 min" triple. No sliding windows are kept here: each slot is the average
 * since boot, which mqadmin's clusterList parses the same way.
 */
function tpsTriple(total: number, uptimeMs: number): string {
  const tps = (total / Math.max(1, uptimeMs / 1000)).toFixed(2);
  return `${tps} ${tps} ${tps}`;
}

export function runtimeInfoTable(deps: RuntimeInfoDeps, diskRatio: number): Record<string, string> {
  const now = deps.now();
  const uptimeMs = now - deps.bootTimestamp;
  return {
    brokerVersionDesc: 'V4_9_8',
    brokerVersion: String(OUR_VERSION),
    brokerRole: deps.config.brokerRole,
    flushDiskType: deps.config.flushDiskType,
    bootTimestamp: String(deps.bootTimestamp),
    runtime: formatRuntime(uptimeMs),
    // Counting starts at boot: the "morning" marks Java takes at midnight are the boot's zero here.
    msgPutTotalYesterdayMorning: '0',
    msgPutTotalTodayMorning: '0',
    msgPutTotalTodayNow: String(deps.totals.putTotal),
    msgGetTotalYesterdayMorning: '0',
    msgGetTotalTodayMorning: '0',
    msgGetTotalTodayNow: String(deps.totals.getTotal),
    putTps: tpsTriple(deps.totals.putTotal, uptimeMs),
    getTransferedTps: tpsTriple(deps.totals.getTotal, uptimeMs),
    commitLogMinOffset: String(deps.store.minPhysicalOffset),
    commitLogMaxOffset: String(deps.store.maxPhysicalOffset),
    commitLogDiskRatio: String(diskRatio),
    dispatchBehindBytes: String(deps.store.dispatchBehindBytes),
  };
}

export function createRuntimeInfoProcessor(deps: RuntimeInfoDeps): RequestProcessor {
  return guarded(async (request) => {
    const diskRatio = await deps.diskUsedRatio().catch(() => -1);
    return createResponse(request, ResponseCode.SUCCESS, {
      body: encodeKvTable({ table: runtimeInfoTable(deps, diskRatio) }),
    });
  });
}
