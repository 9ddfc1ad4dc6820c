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

/**
 * Built field by field rather than by spreading the decoded record: at tens of thousands of messages a second
 * the spread copies and per-message closures were the consumer's largest costs after the garbage collector.
 */
class PulledRecord implements PulledMessage {
  readonly storeSize: number;
  readonly bodyCRC: number;
  readonly queueId: number;
  readonly flag: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: MessageExt['bornHost'];
  readonly storeTimestamp: number;
  readonly storeHost: MessageExt['storeHost'];
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  readonly body: Uint8Array;
  readonly topic: string;
  readonly properties: ReadonlyMap<string, string>;
  readonly msgId: string;
  readonly offsetMsgId: string;
  readonly queue: MessageQueue;
  readonly queueKey: string;
  readonly tags: string | undefined;
  readonly keys: readonly string[];

  constructor(ext: MessageExt, queue: MessageQueue) {
    this.storeSize = ext.storeSize;
    this.bodyCRC = ext.bodyCRC;
    this.queueId = ext.queueId;
    this.flag = ext.flag;
    this.queueOffset = ext.queueOffset;
    this.commitLogOffset = ext.commitLogOffset;
    this.sysFlag = ext.sysFlag;
    this.bornTimestamp = ext.bornTimestamp;
    this.bornHost = ext.bornHost;
    this.storeTimestamp = ext.storeTimestamp;
    this.storeHost = ext.storeHost;
    this.reconsumeTimes = ext.reconsumeTimes;
    this.preparedTransactionOffset = ext.preparedTransactionOffset;
    this.body = ext.body;
    this.topic = ext.topic;
    this.properties = ext.properties;
    this.msgId = ext.properties.get(MessageProperty.UNIQ_KEY) ?? ext.msgId;
    this.offsetMsgId = ext.msgId;
    this.queue = queue;
    this.queueKey = `${queue.brokerName}@${queue.queueId}`;
    this.tags = ext.properties.get(MessageProperty.TAGS);
    const keys = ext.properties.get(MessageProperty.KEYS);
    this.keys = keys === undefined ? [] : keys.split(' ').filter((k) => k.length > 0);
  }
}

const SETTLE = Symbol('settle');

/**
 * Settlement state lives in an object of its own that derived views share: operators such as decodeBody hand
 * on `Object.create(message)`, and ack() through the view must settle the original (and name it, not the view).
 */
class SettleableRecord extends PulledRecord implements ConsumerMessage {
  readonly [SETTLE]: { settled: boolean; readonly settlement: Settlement; readonly message: ConsumerMessage };

  constructor(ext: MessageExt, queue: MessageQueue, settlement: Settlement) {
    super(ext, queue);
    this[SETTLE] = { settled: false, settlement, message: this };
  }

  get settled(): boolean {
    return this[SETTLE].settled;
  }

  ack(): void {
    const state = this[SETTLE];
    if (state.settled) return;
    state.settled = true;
    state.settlement.ack(state.message);
  }

  retry(options: RetryOptions = {}): void {
    const state = this[SETTLE];
    if (state.settled) return;
    state.settled = true;
    state.settlement.retry(state.message, options.delayLevel ?? 0);
  }
}

export const toPulledMessage = (ext: MessageExt, queue: MessageQueue): PulledMessage =>
  new PulledRecord(ext, queue);

export const toConsumerMessage = (
  ext: MessageExt,
  queue: MessageQueue,
  settlement: Settlement,
): ConsumerMessage => new SettleableRecord(ext, queue, settlement);
