import type { AsyncIterableX } from 'ix/asynciterable';
import {
  NEVER,
  type Observable,
  Subject,
  type Subscription,
  defer,
  firstValueFrom,
  lastValueFrom,
  of,
  race,
  tap,
  timer,
} from 'rxjs';
import { MQClientError } from '../../errors.js';
import type { PulledMessage } from '../consumer-message.js';
import type { PullConsumer } from '../pull-consumer.js';
import type { MessageQueue } from '../queue-selector.js';
import { compareQueues, queueKey } from '../rebalance/rebalance.js';
import { startOffset$ } from '../start-offset.js';
import { type MessageSelector, toSelector } from '../subscription.js';
import { PullAssignment } from './assignment.js';
import { ConsumedOffsets } from './consumed-offsets.js';
import { type FeedRun, createFetchBuffer } from './fetch-buffer.js';
import { messageIterable } from './message-iterable.js';
import type { PullConsumerPorts, PullConsumerSettings } from './pull-consumer-core-types.js';
import { type QueueSeek, queueFeeds$ } from './queue-feeds.js';

export function createPullConsumerCore(
  ports: PullConsumerPorts,
  settings: PullConsumerSettings,
): PullConsumer {
  return new PullConsumerCore(ports, settings);
}

/**
 * Taking a message from the fetch buffer moves its queue's consumed position past it. Pulling runs while
 * someone holds a lease: an iteration for as long as it runs, poll() from its first call until close().
 */
class PullConsumerCore implements PullConsumer {
  private readonly assigned: PullAssignment;
  private readonly offsets: ConsumedOffsets;
  private readonly buffer = createFetchBuffer();
  private readonly seeks$ = new Subject<QueueSeek>();
  private readonly closed$ = new Subject<void>();
  private holders = 0;
  private feed: Subscription | undefined;
  private pollLease: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly ports: PullConsumerPorts,
    private readonly settings: PullConsumerSettings,
  ) {
    this.offsets = new ConsumedOffsets(ports.offsets, settings);
    this.assigned = new PullAssignment(ports, {
      ...settings,
      onRevoked: (queue) => {
        this.offsets.revoke(queue);
      },
    });
  }

  get group(): string {
    return this.settings.group;
  }

  get assignment$(): Observable<readonly MessageQueue[]> {
    return this.assigned.assignment$;
  }

  assignment(): readonly MessageQueue[] {
    return this.assigned.current;
  }

  assign(queues: readonly MessageQueue[]): void {
    this.assertOpen();
    this.assigned.assign(queues);
    this.offsets.startAutoCommit();
  }

  async subscribe(topic: string, expression?: string | MessageSelector): Promise<void> {
    this.assertOpen();
    await this.assigned.subscribe(topic, toSelector(expression));
    this.offsets.startAutoCommit();
  }

  unsubscribe(topic: string): void {
    this.assigned.unsubscribe(topic);
  }

  async fetchQueues(topic: string): Promise<MessageQueue[]> {
    const queues = await firstValueFrom(this.ports.queues$(topic));
    return [...queues].sort(compareQueues);
  }

  async seek(queue: MessageQueue, offset: number): Promise<void> {
    this.assertAssigned(queue);
    const [min, max] = await Promise.all([
      firstValueFrom(this.ports.minOffset$(queue)),
      firstValueFrom(this.ports.maxOffset$(queue)),
    ]);
    if (!Number.isSafeInteger(offset) || offset < min || offset > max)
      throw new MQClientError(
        'ERR_OFFSET_OUT_OF_RANGE',
        `cannot seek ${queueKey(queue)} to ${offset}: its offsets are ${min}..${max}`,
      );
    this.moveTo(queue, offset);
  }

  async seekToBegin(queue: MessageQueue): Promise<void> {
    this.assertAssigned(queue);
    this.moveTo(queue, await firstValueFrom(this.ports.minOffset$(queue)));
  }

  async seekToEnd(queue: MessageQueue): Promise<void> {
    this.assertAssigned(queue);
    this.moveTo(queue, await firstValueFrom(this.ports.maxOffset$(queue)));
  }

  offsetForTimestamp(queue: MessageQueue, timestamp: number): Promise<number> {
    return firstValueFrom(this.ports.searchOffset$(queue, timestamp));
  }

  committed(queue: MessageQueue): Promise<number | undefined> {
    return firstValueFrom(this.ports.offsets.read$(queue), { defaultValue: undefined });
  }

  async commit(): Promise<void> {
    this.assertOpen();
    await this.offsets.commit();
  }

  async poll(timeoutMs = this.settings.pollTimeoutMs): Promise<PulledMessage[]> {
    this.assertReadable();
    this.pollLease ??= this.lease();
    const deadline = this.settings.scheduler.now() + timeoutMs;
    for (;;) {
      const taken = this.take(this.settings.pullBatchSize);
      const left = deadline - this.settings.scheduler.now();
      if (taken.length > 0 || this.closed || left <= 0) return taken;
      await this.nextPush(left);
    }
  }

  messages(): AsyncIterableX<PulledMessage> {
    return messageIterable({
      lease: () => {
        this.assertReadable();
        return this.lease();
      },
      next: () => this.next(),
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<PulledMessage> {
    return this.messages()[Symbol.asyncIterator]();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closed$.next();
    this.assigned.stop();
    this.stopFeed();
    await this.offsets.close();
    if (this.assigned.joined)
      await lastValueFrom(this.ports.leave$(), { defaultValue: undefined }).catch((error: unknown) => {
        this.settings.logger.warn({ error: String(error) }, 'unregister failed');
      });
    await this.ports.release();
  }

  /** The next message for an iteration, waiting for one; undefined once closed. */
  private async next(): Promise<PulledMessage | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const [message] = this.take(1);
      if (message !== undefined) return message;
      await this.nextPush();
    }
  }

  private take(max: number): PulledMessage[] {
    return this.buffer.take(max, (run: FeedRun) => {
      const offset = run.window.committedOffset();
      if (offset >= 0) this.offsets.moveTo(run.queue, offset);
    });
  }

  private nextPush(timeoutMs?: number): Promise<unknown> {
    const wake$ = race(
      this.buffer.pushed$,
      this.closed$,
      timeoutMs === undefined ? NEVER : timer(timeoutMs, this.settings.scheduler),
    );
    return firstValueFrom(wake$, { defaultValue: undefined });
  }

  /** Pulling runs while at least one lease is held; the release function is idempotent. */
  private lease(): () => void {
    this.holders++;
    if (this.holders === 1 && !this.closed) this.startFeed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders === 0) this.stopFeed();
    };
  }

  private startFeed(): void {
    const { settings } = this;
    this.feed = queueFeeds$(this.assigned.assignment$, {
      startOffset$: (queue) => this.startOffset$(queue),
      // offsets are the application's to commit, so a pull never carries one (RocketMQ's lite pull neither)
      pull$: (request) =>
        this.ports.pull$({ ...request, commitOffset: 0 }, this.assigned.subscriptionFor(request.queue.topic)),
      seeks$: this.seeks$,
      buffer: this.buffer,
      limits: { maxMessages: settings.pullThresholdForQueue, maxBytes: settings.pullThresholdSizeForQueue },
      onOffsetMoved: (queue, offset) => {
        settings.logger.warn({ queue: queueKey(queue), offset }, 'offset moved by the broker');
        this.offsets.moveTo(queue, offset);
      },
      onError: (error, queue) => {
        settings.logger.warn({ queue: queueKey(queue), error: String(error) }, 'pull failed');
      },
      scheduler: settings.scheduler,
    }).subscribe();
  }

  private stopFeed(): void {
    this.feed?.unsubscribe();
    this.feed = undefined;
    this.buffer.clear();
  }

  /** The consumed position, else the group's committed offset, else as consumeFromWhere says. */
  private startOffset$(queue: MessageQueue): Observable<number> {
    return defer(() => {
      const at = this.offsets.consumed(queue);
      if (at !== undefined) return of(at);
      return startOffset$(queue, this.settings.consumeFromWhere, this.settings.consumeTimestamp, {
        stored$: (q) => this.offsets.stored$(q),
        maxOffset$: (q) => this.ports.maxOffset$(q),
        searchOffset$: (q, ts) => this.ports.searchOffset$(q, ts),
      }).pipe(
        // committing before anything was handed out keeps this start: a LAST start must not slide forward
        tap((offset) => {
          if (this.offsets.consumed(queue) === undefined && this.assigned.isAssigned(queue))
            this.offsets.moveTo(queue, offset);
        }),
      );
    });
  }

  private moveTo(queue: MessageQueue, offset: number): void {
    this.offsets.moveTo(queue, offset);
    this.seeks$.next({ queue, offset });
  }

  private assertOpen(): void {
    if (this.closed) throw new MQClientError('ERR_CONSUMER_CLOSED', `pull consumer ${this.group} is closed`);
  }

  private assertReadable(): void {
    this.assertOpen();
    if (!this.assigned.started)
      throw new MQClientError('ERR_NOT_SUBSCRIBED', 'call assign() or subscribe() before reading messages');
  }

  private assertAssigned(queue: MessageQueue): void {
    this.assertOpen();
    if (!this.assigned.isAssigned(queue))
      throw new MQClientError(
        'ERR_QUEUE_NOT_ASSIGNED',
        `${queueKey(queue)} is not assigned to this consumer`,
      );
  }
}
