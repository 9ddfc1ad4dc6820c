import type { MessageBody } from './body-codec.js';
import type { MessageQueue } from './queue-selector.js';

/** A message as a user writes it. */
export interface Message {
  readonly topic: string;
  readonly body: MessageBody;
  readonly tags?: string;
  /** Indexed by the broker: findable with queryMsgByKey. */
  readonly keys?: string | readonly string[];
  /** User properties; RocketMQ's own keys (TAGS, KEYS, DELAY, ...) are set through the fields above. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly flag?: number;
  /** RocketMQ delay level, 1-based into the broker's messageDelayLevel list. */
  readonly delayLevel?: number;
  /**
   * Deliver at this time (epoch ms or a Date) rather than now: RocketMQ 5.x's TIMER_DELIVER_MS. The broker
   * refuses a time further ahead than its timerMaxDelaySec (7 days) with MESSAGE_ILLEGAL; a past time is
   * delivered at once. Not together with delayLevel.
   */
  readonly deliverAt?: number | Date;
  /** false: the broker answers before the message is flushed or replicated. */
  readonly waitStoreMsgOk?: boolean;
}

export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface SendResult {
  readonly status: SendStatus;
  /** The client message id (UNIQ_KEY); comma-joined for a batch. */
  readonly msgId: string;
  /** The broker's offset msgId (store host + CommitLog offset); comma-joined for a batch. */
  readonly offsetMsgId: string;
  readonly messageQueue: MessageQueue;
  /** ConsumeQueue offset of the (first) message. */
  readonly queueOffset: number;
  readonly transactionId?: string;
}
