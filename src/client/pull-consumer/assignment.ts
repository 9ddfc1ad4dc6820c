import {
  BehaviorSubject,
  type Observable,
  type SchedulerLike,
  type Subscription,
  firstValueFrom,
} from 'rxjs';
import { MQClientError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { compileSql92 } from '../../protocol/filter/sql92.js';
import type { ConsumerData, MessageModel } from '../../protocol/headers/client.js';
import type { MessageQueue } from '../queue-selector.js';
import { type RebalancePorts, compareQueues, queueKey, rebalance$ } from '../rebalance/rebalance.js';
import type { AllocateStrategy } from '../rebalance/strategies.js';
import type { ConsumeFromWhere } from '../start-offset.js';
import { type MessageSelector, byTag, subscriptionData } from '../subscription.js';

/** What a topic's pulls filter by, and when that was decided (the broker ignores pulls older than its own). */
export interface TopicSubscription {
  readonly topic: string;
  readonly selector: MessageSelector;
  readonly subVersion: number;
}

export interface GroupMembershipPorts {
  readonly rebalance: RebalancePorts;
  /** Registers the group with the heartbeat (`describe` is read at every beat) and beats now. */
  join$(topic: string, describe: () => ConsumerData): Observable<void>;
  /** NOTIFY_CONSUMER_IDS_CHANGED for the group: rebalance now. */
  readonly membershipChanged$?: Observable<unknown>;
}

export interface AssignmentSettings {
  readonly group: string;
  readonly clientId: string;
  readonly model: MessageModel;
  readonly consumeFromWhere: ConsumeFromWhere;
  readonly allocateStrategy: AllocateStrategy;
  readonly rebalanceIntervalMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  /** A queue left the assignment (re-assigned, rebalanced away, unsubscribed). */
  readonly onRevoked: (queue: MessageQueue) => void;
}

/**
 * Which queues the consumer reads: either the ones given to assign(), or those the group's rebalance gives it
 * for each subscribed topic (RocketMQ's lite pull consumer forbids mixing the two, and so do we).
 */
export class PullAssignment {
  private mode: 'NONE' | 'ASSIGN' | 'SUBSCRIBE' = 'NONE';
  private readonly subscriptions = new Map<string, TopicSubscription>();
  private readonly owned = new Map<string, readonly MessageQueue[]>();
  private readonly rebalances = new Map<string, Subscription>();
  private readonly queues$ = new BehaviorSubject<readonly MessageQueue[]>([]);
  private assignedAt = 0;

  constructor(
    private readonly ports: GroupMembershipPorts,
    private readonly settings: AssignmentSettings,
  ) {}

  /** The whole assignment after every change, sorted. */
  get assignment$(): Observable<readonly MessageQueue[]> {
    return this.queues$.asObservable();
  }

  get current(): readonly MessageQueue[] {
    return this.queues$.value;
  }

  get started(): boolean {
    return this.mode !== 'NONE';
  }

  /** The group knows us through heartbeats, so closing must unregister. */
  get joined(): boolean {
    return this.mode === 'SUBSCRIBE';
  }

  isAssigned(queue: MessageQueue): boolean {
    const key = queueKey(queue);
    return this.current.some((q) => queueKey(q) === key);
  }

  assign(queues: readonly MessageQueue[]): void {
    if (this.mode === 'SUBSCRIBE')
      throw new MQClientError(
        'ERR_SUBSCRIBED',
        'subscribe() and assign() cannot be mixed: this consumer subscribed',
      );
    this.mode = 'ASSIGN';
    this.assignedAt = this.settings.scheduler.now();
    this.publish(dedupe(queues));
  }

  /** Resolves once the group heard of us (route known, heartbeat sent); the rebalance then runs on its own. */
  async subscribe(topic: string, selector: MessageSelector): Promise<void> {
    if (this.mode === 'ASSIGN')
      throw new MQClientError(
        'ERR_ASSIGNED',
        'subscribe() and assign() cannot be mixed: this consumer assigned',
      );
    if (selector.type === 'SQL92') compileSql92(selector.expression);
    this.mode = 'SUBSCRIBE';
    this.rebalances.get(topic)?.unsubscribe();
    const subscription = { topic, selector, subVersion: this.settings.scheduler.now() };
    this.subscriptions.set(topic, subscription);
    try {
      await firstValueFrom(
        this.ports.join$(topic, () => this.describe()),
        { defaultValue: undefined },
      );
    } catch (error) {
      if (this.subscriptions.get(topic) === subscription) this.subscriptions.delete(topic);
      throw error;
    }
    if (this.subscriptions.get(topic) !== subscription) return;
    const { settings } = this;
    this.rebalances.set(
      topic,
      rebalance$(this.ports.rebalance, {
        group: settings.group,
        topic,
        clientId: settings.clientId,
        strategy: settings.allocateStrategy,
        broadcasting: settings.model === 'BROADCASTING',
        intervalMs: settings.rebalanceIntervalMs,
        ...(this.ports.membershipChanged$ === undefined ? {} : { notify$: this.ports.membershipChanged$ }),
        onError: (error) => {
          settings.logger.warn({ group: settings.group, topic, error: String(error) }, 'rebalance failed');
        },
        scheduler: settings.scheduler,
      }).subscribe((a) => {
        this.owned.set(topic, a.queues);
        this.publish([...this.owned.values()].flat());
      }),
    );
  }

  unsubscribe(topic: string): void {
    this.rebalances.get(topic)?.unsubscribe();
    this.rebalances.delete(topic);
    this.subscriptions.delete(topic);
    this.owned.delete(topic);
    this.publish([...this.owned.values()].flat());
  }

  subscriptionFor(topic: string): TopicSubscription {
    return this.subscriptions.get(topic) ?? { topic, selector: byTag(), subVersion: this.assignedAt };
  }

  /** Our entry in HEART_BEAT: a consumer that pulls by itself (CONSUME_ACTIVELY), as RocketMQ's lite consumer. */
  describe(): ConsumerData {
    return {
      groupName: this.settings.group,
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: this.settings.model,
      consumeFromWhere: this.settings.consumeFromWhere,
      subscriptionDataSet: [...this.subscriptions.values()].map((s) =>
        subscriptionData(s.topic, s.selector, s.subVersion),
      ),
      unitMode: false,
    };
  }

  /** Stops every rebalance; the assignment stays as it is for the last commit. */
  stop(): void {
    for (const s of this.rebalances.values()) s.unsubscribe();
    this.rebalances.clear();
  }

  private publish(queues: readonly MessageQueue[]): void {
    const next = new Set(queues.map(queueKey));
    for (const q of this.current) if (!next.has(queueKey(q))) this.settings.onRevoked(q);
    this.queues$.next([...queues].sort(compareQueues));
  }
}

function dedupe(queues: readonly MessageQueue[]): MessageQueue[] {
  return [...new Map(queues.map((q) => [queueKey(q), q])).values()];
}
