import { type Observable, catchError, defer, map, switchMap, throwError } from 'rxjs';
import { MQBrokerError, MQClientError, RemotingTimeoutError, RxRocketError } from '../errors.js';
import { createUniqKeyGenerator } from '../protocol/msg-id.js';
import { createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { isRetriableResponseCode } from '../protocol/response-code.js';
import { type ClientInstance, acquireClientInstance } from './client-instance.js';
import type { ClientOptions } from './client-options.js';
import { FAILED_SEND_LATENCY_MS } from './latency-fault.js';
import type { Message, SendResult } from './message.js';
import { type WireMessage, buildBatch, buildWireMessage } from './message-builder.js';
import { type MessageQueue, type QueueSelector, RoundRobinSelector, selectByHash } from './queue-selector.js';
import { type PublishInfo, PublishInfoService } from './publish-info.js';
import { sendRequestFields, toSendResult } from './send-request.js';
import { brokerAddress } from './topic-route.js';

export interface ProducerOptions extends ClientOptions {
  readonly group: string;
  /** Whole-send time limit, retries included (RocketMQ's sendMsgTimeout). */
  readonly sendTimeoutMs?: number;
  /** Extra attempts on another broker after a failed sync send (RocketMQ's retryTimesWhenSendFailed). */
  readonly retryTimesWhenSendFailed?: number;
  /** Queues a topic gets when the broker creates it on first send. */
  readonly defaultTopicQueueNums?: number;
}

export interface SendOptions {
  /** Messages with the same key go to the same queue, in send order (hash of the key, like RocketMQ's SelectMessageQueueByHash). */
  readonly shardingKey?: string;
  /** Custom ordered-send choice; called with the topic's writable queues and the sharding key. */
  readonly selector?: QueueSelector;
  /** Send to exactly this queue. */
  readonly queue?: MessageQueue;
  readonly timeoutMs?: number;
}

export interface Producer {
  readonly group: string;
  /** Cold: one send per subscription; emits one SendResult and completes, or errors with an RxRocketError. */
  send$(message: Message, options?: SendOptions): Observable<SendResult>;
  /** Fire and forget: completes once the request is written; no retries, no result. */
  sendOneway$(message: Message, options?: SendOptions): Observable<void>;
  /** One request carrying many messages of one topic to one queue; the result's ids are comma-joined. */
  sendBatch$(messages: readonly Message[], options?: SendOptions): Observable<SendResult>;
  /** Unregisters the group from the brokers and releases the shared client instance. */
  shutdown(): Promise<void>;
}

export function createProducer(options: ProducerOptions): Producer {
  const instance = acquireClientInstance(options);
  instance.registerProducer(options.group);
  return new ProducerImpl(instance, options);
}

class ProducerImpl implements Producer {
  private readonly selector: RoundRobinSelector;
  private readonly publishInfo: PublishInfoService;
  private readonly nextUniqKey = createUniqKeyGenerator();
  private readonly sendTimeoutMs: number;
  private readonly retries: number;
  private closed = false;

  constructor(
    private readonly instance: ClientInstance,
    private readonly options: ProducerOptions,
  ) {
    this.selector = new RoundRobinSelector(instance.faults);
    this.publishInfo = new PublishInfoService(instance.routes, options.defaultTopicQueueNums ?? 4);
    this.sendTimeoutMs = options.sendTimeoutMs ?? 3000;
    this.retries = options.retryTimesWhenSendFailed ?? 2;
  }

  get group(): string {
    return this.options.group;
  }

  send$(message: Message, options: SendOptions = {}): Observable<SendResult> {
    return defer(() => {
      const wire = buildWireMessage(message, this.nextUniqKey());
      return this.sendWire$(wire, RequestCode.SEND_MESSAGE_V2, false, options);
    });
  }

  sendBatch$(messages: readonly Message[], options: SendOptions = {}): Observable<SendResult> {
    return defer(() => {
      const { wire } = buildBatch(messages, this.nextUniqKey);
      return this.sendWire$(wire, RequestCode.SEND_BATCH_MESSAGE, true, options);
    });
  }

  sendOneway$(message: Message, options: SendOptions = {}): Observable<void> {
    return defer(() => {
      this.assertOpen();
      const wire = buildWireMessage(message, this.nextUniqKey());
      return this.publishInfo.get$(wire.topic).pipe(
        switchMap((info) => {
          const queue = this.pick(info, options, undefined);
          const request = createRequest(RequestCode.SEND_MESSAGE_V2, {
            extFields: sendRequestFields(this.group, wire, queue, info, false),
            body: wire.body,
            oneway: true,
          });
          return this.instance.remoting.oneway$(this.addressOf(info, queue), request);
        }),
      );
    });
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.instance.unregister$('producer', this.group).subscribe({
        complete: resolve,
        error: () => {
          resolve();
        },
      });
    });
    await this.instance.release();
  }

  private sendWire$(
    wire: WireMessage,
    code: number,
    batch: boolean,
    options: SendOptions,
  ): Observable<SendResult> {
    this.assertOpen();
    const timeoutMs = options.timeoutMs ?? this.sendTimeoutMs;
    const deadline = this.instance.now() + timeoutMs;
    const ordered = options.queue !== undefined || options.shardingKey !== undefined;
    const attempt = (info: PublishInfo, n: number, lastFailed: string | undefined): Observable<SendResult> =>
      defer(() => {
        const remaining = deadline - this.instance.now();
        if (remaining <= 0)
          return throwError(() => new RemotingTimeoutError(wire.topic, timeoutMs, 'send deadline passed'));
        const queue = this.pick(info, options, lastFailed);
        const address = this.addressOf(info, queue);
        const started = this.instance.now();
        const request = createRequest(code, {
          extFields: sendRequestFields(this.group, wire, queue, info, batch),
          body: wire.body,
        });
        return this.instance.remoting.invoke$(address, request, remaining).pipe(
          map((response) => {
            const result = toSendResult(response, queue, wire, address);
            this.instance.faults.record(queue.brokerName, this.instance.now() - started, this.instance.now());
            if (info.viaDefaultTopic) this.publishInfo.forget(wire.topic);
            return result;
          }),
          catchError((error: unknown) => {
            const retriable =
              error instanceof MQBrokerError
                ? isRetriableResponseCode(error.responseCode)
                : error instanceof RxRocketError && error.retriable;
            if (!(error instanceof MQBrokerError)) {
              this.instance.faults.record(queue.brokerName, FAILED_SEND_LATENCY_MS, this.instance.now());
            }
            if (retriable && !ordered && n < this.retries) return attempt(info, n + 1, queue.brokerName);
            return throwError(() => error);
          }),
        );
      });
    return this.publishInfo.get$(wire.topic).pipe(switchMap((info) => attempt(info, 0, undefined)));
  }

  private pick(info: PublishInfo, options: SendOptions, lastFailed: string | undefined): MessageQueue {
    if (info.queues.length === 0) {
      throw new MQClientError('ERR_NO_WRITABLE_QUEUE', `topic ${info.topic} has no writable queue`);
    }
    if (options.queue !== undefined) return options.queue;
    if (options.shardingKey !== undefined)
      return (options.selector ?? selectByHash)(info.queues, options.shardingKey);
    return this.selector.select(info.queues, this.instance.now(), lastFailed);
  }

  private addressOf(info: PublishInfo, queue: MessageQueue): string {
    const address = brokerAddress(info.route, queue.brokerName);
    if (address === undefined) {
      throw new MQClientError('ERR_BROKER_NOT_FOUND', `no master address for broker ${queue.brokerName}`);
    }
    return address;
  }

  private assertOpen(): void {
    if (this.closed) throw new MQClientError('ERR_PRODUCER_CLOSED', `producer ${this.group} is shut down`);
  }
}
