import { decompressBody } from '../protocol/compression.js';
import { type TagSubscription, tagMatches } from '../protocol/filter/tag.js';
import type { MessageExt } from '../protocol/message.js';
import { decodeRecords } from '../protocol/message-codec.js';
import { MessageProperty } from '../protocol/properties.js';
import type { MessageQueue } from './queue-selector.js';

export interface RetryOptions {
  /** RocketMQ delay level for the redelivery; 0 lets the broker choose (3 + reconsumeTimes). */
  readonly delayLevel?: number;
}

/** A pulled message with the queue it came from, as the pull consumer hands it out. */
export interface PulledMessage extends MessageExt {
  readonly queue: MessageQueue;
  /** `${brokerName}@${queueId}`: the key to group by for per-queue order. */
  readonly queueKey: string;
  readonly tags: string | undefined;
  readonly keys: readonly string[];
  /** The broker's offset msgId (store host + CommitLog offset); `msgId` is the producer's UNIQ_KEY when set. */
  readonly offsetMsgId: string;
}

/** A pulled message with its settlement: `ack()` or `retry()`, whichever comes first. */
export interface ConsumerMessage extends PulledMessage {
  readonly settled: boolean;
  /** Done with it: removes it from the queue's window so the committed offset can pass it. Idempotent. */
  ack(): void;
  /** Redeliver later through %RETRY%group (the DLQ after maxReconsumeTimes). Ignored once settled. */
  retry(options?: RetryOptions): void;
}

/** What the consumer does on settlement; each is called at most once per message, and only one of them. */
export interface Settlement {
  ack(message: ConsumerMessage): void;
  retry(message: ConsumerMessage, delayLevel: number): void;
}

/**
 * A pull response body as the consumer sees it: records decoded, bodies inflated, and for messages redelivered
 * from %RETRY%group the topic they were first sent to (RocketMQ's resetRetryAndNamespace).
 */
export function decodePulledMessages(body: Buffer): MessageExt[] {
  return decodeRecords(body).map((m) => {
    const retryTopic = m.properties.get(MessageProperty.RETRY_TOPIC);
    const inflated = decompressBody(m.body, m.sysFlag);
    return inflated === m.body && retryTopic === undefined
      ? m
      : { ...m, body: inflated, topic: retryTopic ?? m.topic };
  });
}

/** The broker filters by tag hash only; a hash collision must not deliver a tag the subscription never asked for. */
export const recheckTags = (messages: readonly MessageExt[], sub: TagSubscription): MessageExt[] =>
  sub.matchesAll
    ? [...messages]
    : messages.filter((m) => tagMatches(sub, m.properties.get(MessageProperty.TAGS)));

export function toPulledMessage(ext: MessageExt, queue: MessageQueue): PulledMessage {
  const keys = ext.properties.get(MessageProperty.KEYS);
  return {
    ...ext,
    msgId: ext.properties.get(MessageProperty.UNIQ_KEY) ?? ext.msgId,
    offsetMsgId: ext.msgId,
    queue,
    queueKey: `${queue.brokerName}@${queue.queueId}`,
    tags: ext.properties.get(MessageProperty.TAGS),
    keys: keys === undefined ? [] : keys.split(' ').filter((k) => k.length > 0),
  };
}

export function toConsumerMessage(
  ext: MessageExt,
  queue: MessageQueue,
  settlement: Settlement,
): ConsumerMessage {
  let settled = false;
  const message: ConsumerMessage = {
    ...toPulledMessage(ext, queue),
    get settled() {
      return settled;
    },
    ack() {
      if (settled) return;
      settled = true;
      settlement.ack(message);
    },
    retry(options = {}) {
      if (settled) return;
      settled = true;
      settlement.retry(message, options.delayLevel ?? 0);
    },
  };
  return message;
}
