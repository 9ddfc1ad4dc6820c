import { builtClient, builtTesting } from '../built.js';
import { type MasterRole, startHaPair } from '../ha-pair.js';
import type { ReportPlan } from './plan.js';
import {
  asyncFlushWorkloads,
  haWorkloads,
  syncFlushWorkloads,
  type Target,
  type Workload,
} from './workloads.js';

/** A started setup: what workloads need, and how to stop it. */
export interface Started extends Target {
  readonly dispose: () => Promise<void>;
}

/** One broker configuration of the report, started fresh (its store or stores under `storeDir`) for its workloads. */
export interface Setup {
  readonly name: string;
  readonly workloads: readonly Workload[];
  readonly start: (storeDir: string, plan: ReportPlan) => Promise<Started>;
}

const { createProducer } = builtClient;
const { startBrokerProcess } = builtTesting;

const standalone = (flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH', workloads: readonly Workload[]): Setup => ({
  name: flush,
  workloads,
  start: async (storeDir, plan) => {
    const broker = await startBrokerProcess({ storeDir, args: ['--flush', flush] });
    const producer = createProducer({
      group: 'report-producer',
      namesrv: broker.namesrvAddress,
      defaultTopicQueueNums: plan.queues,
    });
    return {
      producer,
      namesrv: broker.namesrvAddress,
      dispose: async () => {
        await producer.shutdown();
        await broker.stop();
        await broker.dispose();
      },
    };
  },
});

const pair = (role: MasterRole): Setup => ({
  name: `${role} + slave`,
  workloads: haWorkloads,
  start: async (storeDir, plan) => {
    const started = await startHaPair(role, 'ReportHaWarmup', Buffer.alloc(1024), plan.warmup, storeDir);
    return { producer: started.producer, namesrv: started.master.namesrvAddress, dispose: started.dispose };
  },
});

/** The report's setups in the order they run; ASYNC_FLUSH first, as the one every other is compared with. */
export const reportSetups: readonly Setup[] = [
  standalone('ASYNC_FLUSH', asyncFlushWorkloads),
  standalone('SYNC_FLUSH', syncFlushWorkloads),
  pair('SYNC_MASTER'),
  pair('ASYNC_MASTER'),
];
