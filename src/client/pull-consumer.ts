import type { AsyncIterableX } from 'ix/asynciterable';
import type { Observable } from 'rxjs';
import type { MessageModel } from '../protocol/headers/client.js';
import { type ClientInstance, acquireClientInstance } from './client-instance.js';
import type { ClientOptions } from './client-options.js';
import type { PulledMessage } from './consumer-message.js';
import { PullThresholds } from './process-queue.js';
import { createClientPullConsumerPorts } from './pull-consumer/client-ports.js';
import { createPullConsumerCore } from './pull-consumer/pull-consumer-core.js';
import type { PullConsumerSettings } from './pull-consumer/pull-consumer-core-types.js';
import type { MessageQueue } from './queue-selector.js';
import { REBALANCE_INTERVAL_MS } from './rebalance/rebalance.js';
import { type AllocateStrategy, allocateAveragely } from './rebalance/strategies.js';
import { type ConsumeFromWhere, DEFAULT_CONSUME_TIMESTAMP_AGE_MS } from './start-offset.js';
import type { MessageSelector } from './subscription.js';

/** DefaultLitePullConsumer's defaults. */
export const LITE_PULL_BATCH_SIZE = 10;
export const POLL_TIMEOUT_MS = 5000;
export const AUTO_COMMIT_INTERVAL_MS = 5000;

export interface PullConsumerOptions extends ClientOptions {
  readonly group: string;
  /** CLUSTERING (default) splits queues across the group and keeps offsets on the broker; BROADCASTING reads every queue and keeps offsets in a local file. */
  readonly model?: MessageModel;
  /** Where a queue without a committed offset starts (default CONSUME_FROM_LAST_OFFSET). */
  readonly consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, in ms since the epoch; default half an hour before the consumer is created. */
  readonly consumeTimestamp?: number;
  /** Commit what has been handed out every autoCommitIntervalMs and at close() (default true). */
  readonly autoCommit?: boolean;
  readonly autoCommitIntervalMs?: number;
  /** Messages per PULL_MESSAGE, and the most one poll() returns (default 10). */
  readonly pullBatchSize?: number;
  /** Pulled messages buffered per queue before its pulls pause until some are taken (default 1000). */
  readonly pullThresholdForQueue?: number;
  /** Body bytes buffered per queue before its pulls pause (default 100 MiB). */
  readonly pullThresholdSizeForQueue?: number;
  /** How long poll() waits when nothing is buffered (default 5 s). */
  readonly pollTimeoutMs?: number;
  readonly allocateStrategy?: AllocateStrategy;
  readonly rebalanceIntervalMs?: number;
  /** BROADCASTING offsets file root (rocketmq.client.localOffsetStoreDir; default ~/.rocketmq_offsets). */
  readonly localOffsetStoreDir?: string;
}

/**
 * RocketMQ's DefaultLitePullConsumer: the application asks for messages, by poll() or by iterating. Pull
 * loops fill a bounded buffer per queue and pause while it is full; a message counts as consumed once handed
 * out, and commit() stores the offsets past what has been handed out.
 */
export interface PullConsumer extends AsyncIterable<PulledMessage> {
  readonly group: string;
  /** Reads exactly these queues (replacing any earlier assign); no group membership, no rebalance. */
  assign(queues: readonly MessageQueue[]): void;
  /**
   * Joins the group for `topic` ('*', 'TagA || TagB', or bySql(...)): the group's rebalance decides which
   * queues this consumer reads. Resolves once the broker has our heartbeat; rejects for an unknown topic or a
   * bad SQL92 expression.
   */
  subscribe(topic: string, expression?: string | MessageSelector): Promise<void>;
  unsubscribe(topic: string): void;
  /** The queues read now, sorted. */
  assignment(): readonly MessageQueue[];
  readonly assignment$: Observable<readonly MessageQueue[]>;
  /** The topic's readable queues, from its route. */
  fetchQueues(topic: string): Promise<MessageQueue[]>;
  /** Next messages of an assigned queue come from `offset`, which must be within the queue's [min, max]. */
  seek(queue: MessageQueue, offset: number): Promise<void>;
  seekToBegin(queue: MessageQueue): Promise<void>;
  seekToEnd(queue: MessageQueue): Promise<void>;
  /** The offset of the first message stored at or after `timestamp` (SEARCH_OFFSET_BY_TIMESTAMP). */
  offsetForTimestamp(queue: MessageQueue, timestamp: number): Promise<number>;
  /** The group's stored offset for the queue, undefined when none. */
  committed(queue: MessageQueue): Promise<number | undefined>;
  /** Stores the offset past what has been handed out, for every assigned queue. */
  commit(): Promise<void>;
  /**
   * Up to pullBatchSize messages, waiting up to `timeoutMs` for some; [] when none came. The first call
   * starts the pull loops, which then run until close(), as RocketMQ's pull tasks do.
   */
  poll(timeoutMs?: number): Promise<PulledMessage[]>;
  /**
   * The messages as an ix AsyncIterable. Pulling runs while the iteration runs (or poll() was used): leaving
   * the loop stops the pull loops, and buffered messages not handed out are pulled again next time. It ends
   * at close().
   */
  messages(): AsyncIterableX<PulledMessage>;
  /** Stops pulling, commits (with autoCommit), unregisters from the group and releases the connections. */
  close(): Promise<void>;
}

export function createPullConsumer(options: PullConsumerOptions): PullConsumer {
  const instance = acquireClientInstance(options);
  const settings = pullConsumerSettings(options, instance);
  const ports = createClientPullConsumerPorts(instance, {
    group: options.group,
    model: settings.model,
    pullBatchSize: settings.pullBatchSize,
    ...(options.localOffsetStoreDir === undefined
      ? {}
      : { localOffsetStoreDir: options.localOffsetStoreDir }),
  });
  return createPullConsumerCore(ports, settings);
}

/** The options with RocketMQ's defaults filled in, and the instance's client id, clock and logger. */
export function pullConsumerSettings(
  options: PullConsumerOptions,
  instance: ClientInstance,
): PullConsumerSettings {
  const { scheduler, logger } = instance.options;
  return {
    group: options.group,
    clientId: instance.clientId,
    model: options.model ?? 'CLUSTERING',
    consumeFromWhere: options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
    consumeTimestamp: options.consumeTimestamp ?? scheduler.now() - DEFAULT_CONSUME_TIMESTAMP_AGE_MS,
    autoCommit: options.autoCommit ?? true,
    autoCommitIntervalMs: options.autoCommitIntervalMs ?? AUTO_COMMIT_INTERVAL_MS,
    pullBatchSize: options.pullBatchSize ?? LITE_PULL_BATCH_SIZE,
    pullThresholdForQueue: options.pullThresholdForQueue ?? PullThresholds.MESSAGES,
    pullThresholdSizeForQueue: options.pullThresholdSizeForQueue ?? PullThresholds.BYTES,
    pollTimeoutMs: options.pollTimeoutMs ?? POLL_TIMEOUT_MS,
    allocateStrategy: options.allocateStrategy ?? allocateAveragely,
    rebalanceIntervalMs: options.rebalanceIntervalMs ?? REBALANCE_INTERVAL_MS,
    logger: logger.child({ component: 'pull-consumer', group: options.group }),
    scheduler,
  };
}
