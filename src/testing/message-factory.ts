import { type Observable, ReplaySubject, type SchedulerLike, asyncScheduler } from 'rxjs';
import { CONTENT_TYPE_PROPERTY, type MessageBody, encodeBody } from '../client/body-codec.js';
import { type ConsumerMessage, toConsumerMessage } from '../client/consumer-message.js';
import type { MessageQueue } from '../client/queue-selector.js';
import type { MessageExt } from '../protocol/message.js';
import { MessageProperty } from '../protocol/properties.js';

/** One ack() or retry() of a test message, as a marble compares it (the frame says when). */
export interface Settlement {
  readonly type: 'ack' | 'retry';
  readonly msgId: string;
  /** The delay level a retry asked for; 0 lets the broker choose. */
  readonly delayLevel?: number;
}

/** A Settlement with the scheduler time it happened at, for assertions outside marbles. */
export interface RecordedSettlement extends Settlement {
  readonly at: number;
}

export interface TestMessageInit {
  /** By default the message id, as UTF-8 text. */
  readonly body?: MessageBody;
  readonly topic?: string;
  readonly tags?: string;
  readonly keys?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  readonly brokerName?: string;
  readonly queueId?: number;
  readonly queueOffset?: number;
  readonly reconsumeTimes?: number;
  /** Called after a retry() is recorded: how a fake consumer redelivers. */
  readonly onRetry?: (message: ConsumerMessage, delayLevel: number) => void;
}

export interface MessageFactoryOptions {
  readonly topic?: string;
  readonly brokerName?: string;
  /** Times the recorded settlements; TestScheduler.run() virtualises the default. */
  readonly scheduler?: SchedulerLike;
}

export const acked = (msgId: string): Settlement => ({ type: 'ack', msgId });
export const retried = (msgId: string, delayLevel = 0): Settlement => ({ type: 'retry', msgId, delayLevel });

const LOOPBACK = { address: '127.0.0.1', port: 10911 };

/**
 * Builds ConsumerMessages as a consumer would deliver them and records every ack() and retry() on them, both
 * as a list and as `settlements$`, a stream a marble can assert: `expectObservable(f.settlements$)`. Each
 * message settles once: a redelivery is a new message() with the same id.
 */
export class MessageFactory {
  readonly settlements: RecordedSettlement[] = [];
  private readonly settled = new ReplaySubject<Settlement>();
  private readonly nextOffset = new Map<string, number>();
  private readonly topic: string;
  private readonly brokerName: string;
  private readonly scheduler: SchedulerLike;

  constructor(options: MessageFactoryOptions = {}) {
    this.topic = options.topic ?? 'TestTopic';
    this.brokerName = options.brokerName ?? 'broker-a';
    this.scheduler = options.scheduler ?? asyncScheduler;
  }

  /**
   * Every settlement: those so far at once, later ones when they happen. The replay lets a pipeline
   * subscribed directly in TestScheduler.run() settle at frame 0 before expectObservable subscribes.
   */
  get settlements$(): Observable<Settlement> {
    return this.settled.asObservable();
  }

  /** Ids acked so far, in order. */
  get ackedIds(): string[] {
    return this.settlements.filter((s) => s.type === 'ack').map((s) => s.msgId);
  }

  /** Ids retried so far, in order. */
  get retriedIds(): string[] {
    return this.settlements.filter((s) => s.type === 'retry').map((s) => s.msgId);
  }

  /** A message whose client msgId (UNIQ_KEY) is `msgId`; queue offsets count up per queue. */
  message(msgId: string, init: TestMessageInit = {}): ConsumerMessage {
    const queue: MessageQueue = {
      topic: init.topic ?? this.topic,
      brokerName: init.brokerName ?? this.brokerName,
      queueId: init.queueId ?? 0,
    };
    const queueKey = `${queue.topic}@${queue.brokerName}@${queue.queueId}`;
    const queueOffset = init.queueOffset ?? this.nextOffset.get(queueKey) ?? 0;
    this.nextOffset.set(queueKey, queueOffset + 1);
    const { bytes, contentType } = encodeBody(init.body ?? msgId);
    const properties = new Map<string, string>(Object.entries(init.properties ?? {}));
    properties.set(MessageProperty.UNIQ_KEY, msgId);
    if (contentType !== undefined) properties.set(CONTENT_TYPE_PROPERTY, contentType);
    if (init.tags !== undefined) properties.set(MessageProperty.TAGS, init.tags);
    if (init.keys !== undefined) properties.set(MessageProperty.KEYS, init.keys.join(' '));
    const now = this.scheduler.now();
    const ext: MessageExt = {
      storeSize: 0,
      bodyCRC: 0,
      queueId: queue.queueId,
      flag: 0,
      queueOffset,
      commitLogOffset: 0,
      sysFlag: 0,
      bornTimestamp: now,
      bornHost: LOOPBACK,
      storeTimestamp: now,
      storeHost: LOOPBACK,
      reconsumeTimes: init.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      body: bytes,
      topic: queue.topic,
      properties,
      msgId: `OFFSET-${msgId}`,
    };
    return toConsumerMessage(ext, queue, {
      ack: (m) => {
        this.record({ type: 'ack', msgId: m.msgId });
      },
      retry: (m, delayLevel) => {
        this.record({ type: 'retry', msgId: m.msgId, delayLevel });
        init.onRetry?.(m, delayLevel);
      },
    });
  }

  /** One message per id, keyed by id: the values argument of a marble, `cold('-a-b|', f.messages('a', 'b'))`. */
  messages(...msgIds: string[]): Record<string, ConsumerMessage> {
    return Object.fromEntries(msgIds.map((id) => [id, this.message(id)]));
  }

  private record(settlement: Settlement): void {
    this.settlements.push({ ...settlement, at: this.scheduler.now() });
    this.settled.next(settlement);
  }
}
