import {
  Observable,
  type SchedulerLike,
  Subject,
  Subscription,
  asyncScheduler,
  filter,
  map,
  takeUntil,
} from 'rxjs';
import type { ConsumerMessage } from '../client/consumer-message.js';
import type { Message } from '../client/message.js';
import type { ConsumeHandler, ConsumeOptions, ConsumeResult, PushConsumer } from '../client/push-consumer.js';
import { type MessageSelector, toSelector } from '../client/subscription.js';
import { compileSql92 } from '../protocol/filter/sql92.js';
import { parseTagExpression, tagMatches } from '../protocol/filter/tag.js';
import { ackOnSuccess } from '../operators/ack-on-success.js';
import type { FakeProducer, SentMessage } from './fake-producer.js';
import { MessageFactory } from './message-factory.js';

export interface FakePushConsumerOptions {
  readonly group?: string;
  /** Builds the delivered messages and records their acks and retries; one of its own by default. */
  readonly factory?: MessageFactory;
  readonly scheduler?: SchedulerLike;
  /** A retried message comes again this long after its retry() (1000 ms), reconsumeTimes one higher. */
  readonly redeliverAfterMs?: number;
  /** A message retried this many times (16) goes to `deadLetters` instead. */
  readonly maxReconsumeTimes?: number;
}

interface Delivery {
  readonly msgId: string;
  readonly message: Message;
  readonly queueId: number;
  readonly reconsumeTimes: number;
}

/** Tags as the client rechecks them; SQL92 over the user properties and tags, as the broker evaluates it. */
function matcher(selector: MessageSelector): (delivery: Delivery) => boolean {
  if (selector.type === 'TAG') {
    const tags = parseTagExpression(selector.expression);
    return (d) => tagMatches(tags, d.message.tags);
  }
  const filter = compileSql92(selector.expression);
  return (d) => filter.evaluate((name) => (name === 'TAGS' ? d.message.tags : d.message.properties?.[name]));
}

/**
 * An in-memory push consumer with the real one's messages$ / consume$ shape: what is published (or sent by a
 * connected FakeProducer) is delivered to the subscription of its topic whose tag expression matches, or kept
 * until one subscribes. Acks and retries are recorded by `factory`; a retry is delivered again later, in the
 * scheduler's time, until maxReconsumeTimes, then it lands in `deadLetters`.
 */
export class FakePushConsumer implements Pick<PushConsumer, 'group' | 'messages$' | 'consume$' | 'shutdown'> {
  readonly group: string;
  readonly factory: MessageFactory;
  readonly deadLetters: ConsumerMessage[] = [];
  private readonly deliveries = new Subject<Delivery>();
  private readonly backlog = new Map<string, Delivery[]>();
  private readonly subscribed = new Set<string>();
  private readonly closing = new Subject<void>();
  private readonly redeliveries = new Subscription();
  private readonly scheduler: SchedulerLike;
  private sequence = 0;

  constructor(private readonly options: FakePushConsumerOptions = {}) {
    this.group = options.group ?? 'fake-consumer-group';
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.factory = options.factory ?? new MessageFactory({ scheduler: this.scheduler });
  }

  /** Delivers `message` as if a producer had sent it; `msgId` defaults to `MSG-1`, `MSG-2`, ... */
  publish(message: Message, msgId = `MSG-${++this.sequence}`, queueId = 0): void {
    this.deliver({ msgId, message, queueId, reconsumeTimes: 0 });
  }

  /** Delivers everything `producer` sends from now on, with the producer's ids and queues. */
  connect(producer: FakeProducer): Subscription {
    return producer.sent$.subscribe((sent: SentMessage) => {
      this.publish(sent.message, sent.msgId, sent.queue.queueId);
    });
  }

  /** One subscription per topic at a time, as with the real consumer. */
  messages$(topic: string, expression?: string | MessageSelector): Observable<ConsumerMessage> {
    return new Observable<ConsumerMessage>((subscriber) => {
      if (this.subscribed.has(topic)) {
        subscriber.error(new RangeError(`${topic} is already subscribed: one subscription per topic`));
        return undefined;
      }
      let matches: (delivery: Delivery) => boolean;
      try {
        matches = matcher(toSelector(expression));
      } catch (error) {
        subscriber.error(error);
        return undefined;
      }
      this.subscribed.add(topic);
      const handOut = (delivery: Delivery): void => {
        if (matches(delivery)) subscriber.next(this.toMessage(delivery));
      };
      const live = this.deliveries
        .pipe(
          filter((d) => d.message.topic === topic),
          takeUntil(this.closing),
        )
        .subscribe({
          next: handOut,
          complete: () => {
            subscriber.complete();
          },
        });
      const waiting = this.backlog.get(topic) ?? [];
      this.backlog.delete(topic);
      for (const delivery of waiting) if (!subscriber.closed) handOut(delivery);
      return () => {
        live.unsubscribe();
        this.subscribed.delete(topic);
      };
    });
  }

  consume$(
    topic: string,
    expression: string | MessageSelector,
    handler: ConsumeHandler,
    options: ConsumeOptions = {},
  ): Observable<ConsumeResult> {
    return this.messages$(topic, expression).pipe(
      ackOnSuccess(handler, { concurrency: options.concurrency ?? 20 }),
      map((settled) =>
        settled.outcome === 'ack'
          ? { message: settled.message, status: 'CONSUME_SUCCESS' as const }
          : { message: settled.message, status: 'RECONSUME_LATER' as const, error: settled.error },
      ),
    );
  }

  /** Completes every messages$ stream and drops the redeliveries still waiting. */
  shutdown(): Promise<void> {
    this.closing.next();
    this.redeliveries.unsubscribe();
    return Promise.resolve();
  }

  private deliver(delivery: Delivery): void {
    if (this.subscribed.has(delivery.message.topic)) {
      this.deliveries.next(delivery);
      return;
    }
    const waiting = this.backlog.get(delivery.message.topic) ?? [];
    waiting.push(delivery);
    this.backlog.set(delivery.message.topic, waiting);
  }

  private toMessage(delivery: Delivery): ConsumerMessage {
    const { message } = delivery;
    const keys = message.keys;
    return this.factory.message(delivery.msgId, {
      body: message.body,
      topic: message.topic,
      brokerName: 'fake-broker',
      queueId: delivery.queueId,
      reconsumeTimes: delivery.reconsumeTimes,
      ...(message.tags === undefined ? {} : { tags: message.tags }),
      ...(keys === undefined ? {} : { keys: typeof keys === 'string' ? keys.split(' ') : keys }),
      ...(message.properties === undefined ? {} : { properties: message.properties }),
      onRetry: (retried) => {
        if (delivery.reconsumeTimes >= (this.options.maxReconsumeTimes ?? 16)) {
          this.deadLetters.push(retried);
          return;
        }
        const again = { ...delivery, reconsumeTimes: delivery.reconsumeTimes + 1 };
        this.redeliveries.add(
          this.scheduler.schedule(() => {
            this.deliver(again);
          }, this.options.redeliverAfterMs ?? 1000),
        );
      },
    });
  }
}
