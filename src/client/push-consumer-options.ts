import { DEFAULT_MAX_RECONSUME_TIMES } from './consumer-ports.js';
import { CONSUME_BATCH_MAX_SIZE, SUSPEND_CURRENT_QUEUE_MS } from './orderly/orderly-gate.js';
import { PULL_BATCH_SIZE } from './pull-port.js';
import { DEFAULT_CONSUME_TIMESTAMP_AGE_MS } from './start-offset.js';
import type { ClientOptions } from './client-options.js';
import type { PullStatus } from './pull-loop.js';
import type { ProcessQueueLimits } from './process-queue.js';
import type { MessageQueue } from './queue-selector.js';
import type { AllocateStrategy } from './rebalance/strategies.js';
import type { ConsumeFromWhere } from './start-offset.js';

export type MessageModel = 'CLUSTERING' | 'BROADCASTING';

/** DefaultMQPushConsumer's settings that this client honours, with RocketMQ's defaults. */
export interface PushConsumerOptions extends ClientOptions {
  readonly group: string;
  /** CLUSTERING (default): the group shares the queues. BROADCASTING: every member gets every message. */
  readonly model?: MessageModel;
  /** Where a queue the group has no offset for starts (default CONSUME_FROM_LAST_OFFSET). */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, in ms since the epoch; default half an hour before the consumer starts. */
  readonly consumeTimestamp?: number;
  /** How the group splits the queues (default allocateAveragely). */
  readonly allocateStrategy?: AllocateStrategy;
  /** Messages per pull (32). */
  readonly pullBatchSize?: number;
  /** Deliveries before a failing message goes to %DLQ%group (16). */
  readonly maxReconsumeTimes?: number;
  /** Rebalance at least this often (20 s); a broker's NOTIFY_CONSUMER_IDS_CHANGED rebalances at once. */
  readonly rebalanceIntervalMs?: number;
  /** Offsets are written this often (5 s) and when the last subscription ends. */
  readonly persistOffsetIntervalMs?: number;
  /** Per-queue flow control: 1000 messages, 100 MiB, an offset span of 2000. */
  readonly pullThresholds?: ProcessQueueLimits;
  /** How long the broker may park a pull that finds nothing (15 s). */
  readonly brokerSuspendMaxTimeMs?: number;
  /** A retried message the broker did not take back is handed out again after this long (5 s). */
  readonly redeliverLaterMs?: number;
  /**
   * BROADCASTING keeps offsets in `<dir>/<clientId>/<group>/offsets.json` (default ~/.rocketmq_offsets). Set
   * `instanceName` too so that a restarted process finds its file: the default one changes with every start.
   */
  readonly offsetStoreDir?: string;
  /** Orderly: messages of a queue handed to the handler at once (consumeMessageBatchMaxSize, 1). */
  readonly consumeMessageBatchMaxSize?: number;
  /** Orderly: how long a queue waits after a failed batch before it is retried (1 s). */
  readonly suspendCurrentQueueTimeMillis?: number;
  /** Orderly clustering: how often the broker locks are renewed, and unheld queues tried again (20 s). */
  readonly lockIntervalMs?: number;
}

export interface ResolvedPushConsumerOptions {
  readonly group: string;
  readonly model: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly consumeTimestamp: number;
  readonly allocateStrategy?: AllocateStrategy;
  readonly pullBatchSize: number;
  readonly maxReconsumeTimes: number;
  readonly rebalanceIntervalMs?: number;
  readonly persistOffsetIntervalMs?: number;
  readonly pullThresholds?: ProcessQueueLimits;
  readonly brokerSuspendMaxTimeMs?: number;
  readonly redeliverLaterMs?: number;
  readonly consumeMessageBatchMaxSize: number;
  readonly suspendCurrentQueueTimeMillis: number;
  readonly lockIntervalMs?: number;
}

/** What a consumer does, as it happens: for tests, metrics and anyone curious. */
export type ConsumerEvent =
  | {
      readonly type: 'rebalanced';
      readonly topic: string;
      readonly queues: readonly MessageQueue[];
      readonly added: readonly MessageQueue[];
      readonly removed: readonly MessageQueue[];
    }
  /** A PULL_MESSAGE went out; `id` pairs it with its `pulled`. */
  | { readonly type: 'pull'; readonly id: number; readonly queue: MessageQueue; readonly offset: number }
  | {
      readonly type: 'pulled';
      readonly id: number;
      readonly queue: MessageQueue;
      readonly status: PullStatus;
      /** Messages delivered from this pull, after the client's tag re-check. */
      readonly count: number;
      readonly nextOffset: number;
    };

/** The options with RocketMQ's defaults filled in; `now` dates the default consumeTimestamp. */
export function resolvePushConsumerOptions(
  options: PushConsumerOptions,
  now: number,
): ResolvedPushConsumerOptions {
  const optional = <K extends keyof PushConsumerOptions>(key: K) =>
    options[key] === undefined ? {} : { [key]: options[key] };
  return {
    group: options.group,
    model: options.model ?? 'CLUSTERING',
    consumeFromWhere: options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
    consumeTimestamp: options.consumeTimestamp ?? now - DEFAULT_CONSUME_TIMESTAMP_AGE_MS,
    pullBatchSize: options.pullBatchSize ?? PULL_BATCH_SIZE,
    maxReconsumeTimes: options.maxReconsumeTimes ?? DEFAULT_MAX_RECONSUME_TIMES,
    ...optional('allocateStrategy'),
    ...optional('rebalanceIntervalMs'),
    ...optional('persistOffsetIntervalMs'),
    ...optional('pullThresholds'),
    ...optional('brokerSuspendMaxTimeMs'),
    ...optional('redeliverLaterMs'),
    consumeMessageBatchMaxSize: options.consumeMessageBatchMaxSize ?? CONSUME_BATCH_MAX_SIZE,
    suspendCurrentQueueTimeMillis: options.suspendCurrentQueueTimeMillis ?? SUSPEND_CURRENT_QUEUE_MS,
    ...optional('lockIntervalMs'),
  };
}
