import type { Channel } from '../../remoting/channel.js';

export interface ProducerConnection {
  readonly clientId: string;
  readonly channel: Channel;
  lastUpdate: number;
}

/** Expired after this long without a heartbeat (RocketMQ's CHANNEL_EXPIRED_TIMEOUT). */
export const CHANNEL_EXPIRED_MS = 120_000;

/**
 * Producer groups and their live channels (RocketMQ's ProducerManager): where the broker sends transaction
 * check-backs, and what admin tools list. Channels leave on UNREGISTER_CLIENT, on close, or after two
 * minutes without a heartbeat.
 */
export class ProducerManager {
  private readonly groups = new Map<string, Map<number, ProducerConnection>>();

  register(group: string, clientId: string, channel: Channel, now: number): void {
    let connections = this.groups.get(group);
    if (connections === undefined) {
      connections = new Map();
      this.groups.set(group, connections);
    }
    const existing = connections.get(channel.id);
    if (existing === undefined) connections.set(channel.id, { clientId, channel, lastUpdate: now });
    else existing.lastUpdate = now;
  }

  unregister(group: string, channel: Channel): void {
    const connections = this.groups.get(group);
    connections?.delete(channel.id);
    if (connections?.size === 0) this.groups.delete(group);
  }

  removeChannel(channel: Channel): void {
    for (const group of [...this.groups.keys()]) this.unregister(group, channel);
  }

  /** Drops channels silent for too long; returns how many. */
  scanExpired(now: number): number {
    let removed = 0;
    for (const [group, connections] of this.groups) {
      for (const [id, connection] of connections) {
        if (now - connection.lastUpdate > CHANNEL_EXPIRED_MS) {
          connections.delete(id);
          removed++;
        }
      }
      if (connections.size === 0) this.groups.delete(group);
    }
    return removed;
  }

  /** Live channels of a group, most recently heard first. */
  connections(group: string): ProducerConnection[] {
    return [...(this.groups.get(group)?.values() ?? [])]
      .filter((c) => !c.channel.isClosed)
      .sort((a, b) => b.lastUpdate - a.lastUpdate);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }
}
