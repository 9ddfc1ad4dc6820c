import type { Observable, ObservableInput } from 'rxjs';
import type { ConsumerMessage } from './consumer-message.js';
import type { ProcessQueueStats } from './process-queue.js';
import type { ConsumerEvent } from './push-consumer-options.js';
import type { MessageQueue } from './queue-selector.js';
import type { MessageSelector } from './subscription.js';

/** A consume$ handler: its Observable completing (or its Promise resolving) is success, an error asks for a retry. */
export type ConsumeHandler = (message: ConsumerMessage) => ObservableInput<unknown>;

export interface SubscribeOptions {
  /**
   * MessageListenerOrderly: a queue's messages in offset order, its next batch only once the previous one is
   * settled; retry() suspends the queue and redelivers locally. Clustering holds the queues' broker locks.
   */
  readonly orderly?: boolean;
}

export interface ConsumeOptions extends SubscribeOptions {
  /** Handlers running at once across the topic's queues (consumeThreadMax, 20). */
  readonly concurrency?: number;
}

export interface ConsumeResult {
  readonly message: ConsumerMessage;
  readonly status: 'CONSUME_SUCCESS' | 'RECONSUME_LATER';
  readonly error?: unknown;
}

export interface PushConsumer {
  readonly group: string;
  readonly clientId: string;
  readonly events$: Observable<ConsumerEvent>;
  /**
   * The topic's messages for as long as it is subscribed: each must be `ack()`ed or `retry()`ed. Subscribing
   * joins the group (heartbeat) and rebalances; unsubscribing stops the pulls and, with the last
   * subscription, writes the offsets and leaves the group (UNREGISTER_CLIENT). One subscription per topic.
   */
  messages$(
    topic: string,
    expression?: string | MessageSelector,
    options?: SubscribeOptions,
  ): Observable<ConsumerMessage>;
  /** messages$ through `handler`: acked when it completes, retried when it errors. */
  consume$(
    topic: string,
    expression: string | MessageSelector,
    handler: ConsumeHandler,
    options?: ConsumeOptions,
  ): Observable<ConsumeResult>;
  /** The queues of `topic` this consumer owns after its latest rebalance. */
  assignment(topic: string): readonly MessageQueue[];
  /** The queues of `topic` whose broker lock an orderly clustering subscription holds now. */
  lockedQueues(topic: string): readonly MessageQueue[];
  /** Each owned queue's in-flight window, by `topic@broker@queueId`. */
  processQueueStats(): ReadonlyMap<string, ProcessQueueStats>;
  /** Ends every subscription (offsets written, group left) and releases the shared client instance. */
  shutdown(): Promise<void>;
}

export const DEFAULT_CONSUME_CONCURRENCY = 20;
