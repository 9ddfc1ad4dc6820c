import { Subject, type Observable } from 'rxjs';
import type { ConsumerData, SubscriptionData } from '../../protocol/headers/client.js';
import type { Channel } from '../../remoting/channel.js';
import type { ConsumerRegistry } from '../processor/client-manage.js';
import { CHANNEL_EXPIRED_MS } from './producer-manager.js';

export interface ConsumerConnection {
  readonly clientId: string;
  readonly channel: Channel;
  lastUpdate: number;
}

export interface ConsumerGroupInfo {
  readonly groupName: string;
  consumeType: ConsumerData['consumeType'];
  messageModel: ConsumerData['messageModel'];
  consumeFromWhere: string;
  readonly connections: Map<number, ConsumerConnection>;
  readonly subscriptions: Map<string, SubscriptionData>;
}

/** Why a group's membership or subscriptions changed: its members must rebalance. */
export interface ConsumerGroupEvent {
  readonly kind: 'joined' | 'left' | 'subscriptions';
  readonly group: string;
}

/**
 * Consumer groups, their live channels and subscriptions (RocketMQ's ConsumerManager). A change of members
 * or subscriptions emits on `changes$`; the broker turns that into NOTIFY_CONSUMER_IDS_CHANGED to every
 * member so all of them rebalance at once instead of waiting for their 20 s tick.
 */
export class ConsumerManager implements ConsumerRegistry {
  private readonly groups = new Map<string, ConsumerGroupInfo>();
  private readonly events = new Subject<ConsumerGroupEvent>();
  readonly changes$: Observable<ConsumerGroupEvent> = this.events.asObservable();

  register(clientId: string, data: ConsumerData, channel: Channel, now: number): void {
    let info = this.groups.get(data.groupName);
    if (info === undefined) {
      info = {
        groupName: data.groupName,
        consumeType: data.consumeType,
        messageModel: data.messageModel,
        consumeFromWhere: data.consumeFromWhere,
        connections: new Map(),
        subscriptions: new Map(),
      };
      this.groups.set(data.groupName, info);
    }
    info.consumeType = data.consumeType;
    info.messageModel = data.messageModel;
    info.consumeFromWhere = data.consumeFromWhere;
    const existing = info.connections.get(channel.id);
    const joined = existing === undefined;
    if (existing === undefined) info.connections.set(channel.id, { clientId, channel, lastUpdate: now });
    else existing.lastUpdate = now;
    const subscriptionsChanged = this.updateSubscriptions(info, data.subscriptionDataSet);
    if (joined) this.events.next({ kind: 'joined', group: data.groupName });
    else if (subscriptionsChanged) this.events.next({ kind: 'subscriptions', group: data.groupName });
  }

  unregister(group: string, channel: Channel): void {
    const info = this.groups.get(group);
    if (info?.connections.delete(channel.id)) {
      if (info.connections.size === 0) this.groups.delete(group);
      this.events.next({ kind: 'left', group });
    }
  }

  removeChannel(channel: Channel): void {
    for (const group of [...this.groups.keys()]) this.unregister(group, channel);
  }

  scanExpired(now: number): number {
    let removed = 0;
    for (const info of [...this.groups.values()]) {
      for (const connection of [...info.connections.values()]) {
        if (now - connection.lastUpdate > CHANNEL_EXPIRED_MS) {
          this.unregister(info.groupName, connection.channel);
          removed++;
        }
      }
    }
    return removed;
  }

  group(name: string): ConsumerGroupInfo | undefined {
    return this.groups.get(name);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Client ids of live members, the list every member sorts and allocates from. */
  clientIds(group: string): string[] {
    const info = this.groups.get(group);
    if (info === undefined) return [];
    return [
      ...new Set([...info.connections.values()].filter((c) => !c.channel.isClosed).map((c) => c.clientId)),
    ];
  }

  subscription(group: string, topic: string): SubscriptionData | undefined {
    return this.groups.get(group)?.subscriptions.get(topic);
  }

  /** Groups subscribed to a topic (QUERY_TOPIC_CONSUME_BY_WHO). */
  groupsOfTopic(topic: string): string[] {
    return [...this.groups.values()].filter((g) => g.subscriptions.has(topic)).map((g) => g.groupName);
  }

  close(): void {
    this.events.complete();
  }

  /** Newer subVersions replace older; topics no longer sent are dropped (RocketMQ's updateSubscription). */
  private updateSubscriptions(info: ConsumerGroupInfo, incoming: readonly SubscriptionData[]): boolean {
    let changed = false;
    const topics = new Set<string>();
    for (const sub of incoming) {
      topics.add(sub.topic);
      const old = info.subscriptions.get(sub.topic);
      if (old === undefined || sub.subVersion > old.subVersion) {
        if (old?.subString !== sub.subString || old?.expressionType !== sub.expressionType) changed = true;
        info.subscriptions.set(sub.topic, sub);
      }
    }
    for (const topic of [...info.subscriptions.keys()]) {
      if (!topics.has(topic)) {
        info.subscriptions.delete(topic);
        changed = true;
      }
    }
    return changed;
  }
}
