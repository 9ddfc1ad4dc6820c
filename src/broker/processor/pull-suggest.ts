import { totalmem } from 'node:os';
import type { BrokerConfig } from '../config.js';

/** RocketMQ's MixAll.MASTER_ID. */
const MASTER_ID = 0;

export interface PullSuggestInput {
  readonly config: Pick<BrokerConfig, 'slaveReadEnable' | 'accessMessageInMemoryMaxRatio'>;
  /** How far the last message read lies behind the CommitLog's end. */
  readonly behindBytes: number;
  /** The group's brokerId and whichBrokerWhenConsumeSlowly (subscriptionGroup.json). */
  readonly group: { readonly brokerId: number; readonly whichBrokerWhenConsumeSlowly: number };
  /** Physical memory; the machine's by default. */
  readonly memoryBytes?: number;
}

/**
 * The pull response's suggestWhichBrokerId, as RocketMQ 4.x decides it: only with slaveReadEnable does a
 * broker send a consumer elsewhere, to whichBrokerWhenConsumeSlowly (1, the slave) when what is left to read
 * is more than accessMessageInMemoryMaxRatio % of physical memory (it would come from disk, not the page
 * cache), else to the group's brokerId; without it, always the master.
 */
export function suggestWhichBrokerId(input: PullSuggestInput): number {
  if (!input.config.slaveReadEnable) return MASTER_ID;
  const memory = ((input.memoryBytes ?? totalmem()) * input.config.accessMessageInMemoryMaxRatio) / 100;
  return input.behindBytes > memory ? input.group.whichBrokerWhenConsumeSlowly : input.group.brokerId;
}
