import { type Observable, type SchedulerLike, Subject, defer, map, of, throwError, timer } from 'rxjs';
import type { Message, SendResult } from '../client/message.js';
import type { Producer, SendOptions } from '../client/producer.js';
import { type MessageQueue, selectByHash } from '../client/queue-selector.js';
import { MQClientError } from '../errors.js';

/** One message a FakeProducer took, with the id and queue it was given. */
export interface SentMessage {
  readonly message: Message;
  readonly msgId: string;
  readonly queue: MessageQueue;
  readonly oneway: boolean;
}

export interface FakeProducerOptions {
  readonly group?: string;
  /** Queues per topic that sends spread over (4); a sharding key always picks the same one. */
  readonly queueCount?: number;
  /** A send$ answers after this long on `scheduler` (0: at once). */
  readonly latencyMs?: number;
  readonly scheduler?: SchedulerLike;
  /** An error for a send that should fail (nothing is recorded for it); undefined lets it through. */
  readonly failWith?: (message: Message) => Error | undefined;
}

const FAKE_BROKER = 'fake-broker';

/**
 * A Producer that keeps what it is sent in memory: `sent` lists it and `sent$` streams it (a FakePushConsumer
 * connects to it). Ids are `FAKE-1`, `FAKE-2`, ... in send order; sends are cold, as the real producer's are.
 */
export class FakeProducer implements Producer {
  readonly group: string;
  readonly sent: SentMessage[] = [];
  private readonly sentSubject = new Subject<SentMessage>();
  private readonly roundRobin = new Map<string, number>();
  private sequence = 0;
  private closed = false;

  constructor(private readonly options: FakeProducerOptions = {}) {
    this.group = options.group ?? 'fake-producer-group';
  }

  /** Each message as it is sent. */
  get sent$(): Observable<SentMessage> {
    return this.sentSubject.asObservable();
  }

  send$(message: Message, options: SendOptions = {}): Observable<SendResult> {
    return defer(() => {
      const failure = this.failure(message);
      if (failure !== undefined) return throwError(() => failure);
      const sent = this.record(message, options, false);
      return this.answer({
        status: 'SEND_OK',
        msgId: sent.msgId,
        offsetMsgId: `OFFSET-${sent.msgId}`,
        messageQueue: sent.queue,
        queueOffset: this.sent.length - 1,
      });
    });
  }

  sendOneway$(message: Message, options: SendOptions = {}): Observable<void> {
    return defer(() => {
      const failure = this.failure(message);
      if (failure !== undefined) return throwError(() => failure);
      this.record(message, options, true);
      return of(undefined);
    });
  }

  sendBatch$(messages: readonly Message[], options: SendOptions = {}): Observable<SendResult> {
    return defer(() => {
      const failure = messages.map((m) => this.failure(m)).find((e) => e !== undefined);
      if (failure !== undefined) return throwError(() => failure);
      const first = messages[0];
      if (first === undefined) return throwError(() => new RangeError('a batch needs at least one message'));
      // One queue for the whole batch, as the real producer sends it in one request.
      const queue = options.queue ?? this.pick(first.topic, options);
      const sent = messages.map((m) => this.record(m, { queue }, false));
      return this.answer({
        status: 'SEND_OK',
        msgId: sent.map((s) => s.msgId).join(','),
        offsetMsgId: sent.map((s) => `OFFSET-${s.msgId}`).join(','),
        messageQueue: queue,
        queueOffset: this.sent.length - sent.length,
      });
    });
  }

  shutdown(): Promise<void> {
    this.closed = true;
    this.sentSubject.complete();
    return Promise.resolve();
  }

  private failure(message: Message): Error | undefined {
    if (this.closed) return new MQClientError('ERR_PRODUCER_CLOSED', `producer ${this.group} is shut down`);
    return this.options.failWith?.(message);
  }

  private record(message: Message, options: SendOptions, oneway: boolean): SentMessage {
    const sent: SentMessage = {
      message,
      msgId: `FAKE-${++this.sequence}`,
      queue: options.queue ?? this.pick(message.topic, options),
      oneway,
    };
    this.sent.push(sent);
    this.sentSubject.next(sent);
    return sent;
  }

  private pick(topic: string, options: SendOptions): MessageQueue {
    const count = this.options.queueCount ?? 4;
    const queues = Array.from({ length: count }, (_, queueId) => ({
      topic,
      brokerName: FAKE_BROKER,
      queueId,
    }));
    if (options.shardingKey !== undefined)
      return (options.selector ?? selectByHash)(queues, options.shardingKey);
    const next = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, next + 1);
    return queues[next % count]!;
  }

  private answer(result: SendResult): Observable<SendResult> {
    const latency = this.options.latencyMs ?? 0;
    return latency === 0 ? of(result) : timer(latency, this.options.scheduler).pipe(map(() => result));
  }
}
