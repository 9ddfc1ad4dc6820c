import { type Observable, type SchedulerLike, asyncScheduler, defer, from, EMPTY } from 'rxjs';
import type { Logger } from '../../logger.js';
import { serviceLoop } from '../../operators/service-loop.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { type ConfigTableFile, loadConfigTable } from './config-table-file.js';

const TOPIC_GROUP_SEPARATOR = '@';
export const FLUSH_CONSUMER_OFFSET_INTERVAL_MS = 5000;

/**
 * Committed consumer offsets per `topic@group` and queue (RocketMQ's ConsumerOffsetManager), kept in memory
 * and written to config/consumerOffset.json every flushConsumerOffsetInterval (5 s) when changed and at
 * shutdown. A crash loses at most the last interval of commits, which RocketMQ accepts: consumers then
 * re-read a few messages.
 */
export class ConsumerOffsetManager {
  private readonly table = new Map<string, Map<number, number>>();
  private readonly writer: CoalescingWriter;
  private dirty = false;

  private constructor(
    private readonly file: ConfigTableFile,
    private readonly logger: Logger,
  ) {
    this.writer = new CoalescingWriter(() => this.file.write(JSON.stringify(this.toJson(), null, 2)));
    const stored = (file.initial as { offsetTable?: Record<string, Record<string, number>> } | undefined)
      ?.offsetTable;
    for (const [key, queues] of Object.entries(stored ?? {})) {
      this.table.set(key, new Map(Object.entries(queues).map(([q, o]) => [Number(q), o])));
    }
  }

  static async load(path: string, logger: Logger): Promise<ConsumerOffsetManager> {
    return new ConsumerOffsetManager(await loadConfigTable(path, logger), logger);
  }

  /** -1 when the group never committed on that queue. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.table.get(key(topic, group))?.get(queueId) ?? -1;
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    // Some clients send -1 for "nothing consumed yet"; storing it would lose a real committed offset.
    if (!Number.isFinite(offset) || offset < 0) return;
    let queues = this.table.get(key(topic, group));
    if (queues === undefined) {
      queues = new Map();
      this.table.set(key(topic, group), queues);
    }
    queues.set(queueId, offset);
    this.dirty = true;
  }

  /** Replaces everything (a slave copying its master). */
  replaceAll(offsetTable: Readonly<Record<string, Readonly<Record<string, number>>>>): void {
    this.table.clear();
    for (const [k, queues] of Object.entries(offsetTable)) {
      this.table.set(k, new Map(Object.entries(queues).map(([q, o]) => [Number(q), o])));
    }
    this.dirty = true;
  }

  offsetsOf(group: string, topic: string): ReadonlyMap<number, number> {
    return this.table.get(key(topic, group)) ?? new Map();
  }

  /** Topics a group has committed offsets for. */
  topicsOf(group: string): string[] {
    return [...this.table.keys()].filter((k) => groupOf(k) === group).map(topicOf);
  }

  /** Groups that committed offsets on a topic. */
  groupsOf(topic: string): string[] {
    return [...this.table.keys()].filter((k) => topicOf(k) === topic).map(groupOf);
  }

  removeGroup(group: string): void {
    for (const k of [...this.table.keys()]) if (groupOf(k) === group) this.table.delete(k);
    this.dirty = true;
  }

  removeTopic(topic: string): void {
    for (const k of [...this.table.keys()]) if (topicOf(k) === topic) this.table.delete(k);
    this.dirty = true;
  }

  toJson(): { offsetTable: Record<string, Record<string, number>> } {
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const [k, queues] of this.table) offsetTable[k] = Object.fromEntries(queues);
    return { offsetTable };
  }

  persist(): Promise<void> {
    this.dirty = false;
    return this.writer.request();
  }

  /**
   * The periodic flush, every `periodMs` (flushConsumerOffsetInterval); unsubscribing stops it (call
   * persist() once more at shutdown).
   */
  flushLoop$(
    scheduler: SchedulerLike = asyncScheduler,
    periodMs: number = FLUSH_CONSUMER_OFFSET_INTERVAL_MS,
  ): Observable<void> {
    return serviceLoop(
      () =>
        defer(() => {
          if (!this.dirty) return EMPTY;
          return from(
            this.persist().catch((error: unknown) => {
              this.dirty = true;
              this.logger.error({ error: String(error) }, 'consumer offsets not persisted');
            }),
          );
        }),
      { periodMs, scheduler },
    );
  }
}

const key = (topic: string, group: string): string => `${topic}${TOPIC_GROUP_SEPARATOR}${group}`;
const topicOf = (k: string): string => k.slice(0, k.lastIndexOf(TOPIC_GROUP_SEPARATOR));
const groupOf = (k: string): string => k.slice(k.lastIndexOf(TOPIC_GROUP_SEPARATOR) + 1);
