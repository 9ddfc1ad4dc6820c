import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConsumeQueue } from './consume-queue.js';

export { ConsumeQueue } from './consume-queue.js';
export type { ConsumeQueueEntry } from './consume-queue-entry.js';

/** Queue directories are canonical decimal ints; anything else (a stray file, "007") is not a queue. */
const QUEUE_DIR = /^(0|[1-9]\d{0,9})$/;
const MAX_QUEUE_ID = 2147483647;

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every ConsumeQueue of the store, under store/consumequeue/<topic>/<queueId>. */
export class ConsumeQueueTable {
  private readonly queues = new Map<string, Map<number, ConsumeQueue>>();
  /** In-flight creations by `${queueId}/${topic}`; a topic name never holds a slash, being a directory. */
  private readonly creating = new Map<string, Promise<ConsumeQueue>>();

  private constructor(
    readonly dir: string,
    readonly fileSize: number,
  ) {}

  static async load(consumeQueueDir: string, fileSize: number): Promise<ConsumeQueueTable> {
    const table = new ConsumeQueueTable(consumeQueueDir, fileSize);
    for (const topic of await subdirectories(consumeQueueDir)) {
      for (const name of await subdirectories(join(consumeQueueDir, topic))) {
        const queueId = Number(name);
        if (!QUEUE_DIR.test(name) || queueId > MAX_QUEUE_ID) continue;
        table.add(await ConsumeQueue.load(consumeQueueDir, topic, queueId, fileSize));
      }
    }
    return table;
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.queues.get(topic)?.get(queueId);
  }

  async findOrCreate(topic: string, queueId: number): Promise<ConsumeQueue> {
    const found = this.find(topic, queueId);
    if (found !== undefined) return found;
    const key = `${queueId}/${topic}`;
    let creation = this.creating.get(key);
    if (creation === undefined) {
      creation = ConsumeQueue.load(this.dir, topic, queueId, this.fileSize)
        .then((queue) => {
          this.add(queue);
          return queue;
        })
        .finally(() => this.creating.delete(key));
      this.creating.set(key, creation);
    }
    return creation;
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const byId of this.queues.values()) yield* byId.values();
  }

  /** topic -> queueId -> maxOffset, to rebuild the CommitLog's next-queue-offset table after recovery. */
  maxOffsets(): Map<string, Map<number, number>> {
    const offsets = new Map<string, Map<number, number>>();
    for (const [topic, byId] of this.queues) {
      offsets.set(topic, new Map(Array.from(byId, ([queueId, queue]) => [queueId, queue.maxOffset])));
    }
    return offsets;
  }

  /** One queue at a time: recovery reads up to three segments each, and there may be thousands. */
  async recover(): Promise<void> {
    for (const queue of this.all()) await queue.recover();
  }

  async flushAll(): Promise<void> {
    await Promise.all(Array.from(this.all(), (queue) => queue.flush()));
  }

  async truncateBeyond(commitLogEnd: number): Promise<void> {
    for (const queue of this.all()) await queue.truncateBeyond(commitLogEnd);
  }

  async deleteExpired(commitLogMinOffset: number): Promise<void> {
    for (const queue of this.all()) await queue.deleteExpired(commitLogMinOffset);
  }

  async deleteTopic(topic: string): Promise<void> {
    await Promise.allSettled(this.creating.values());
    const byId = this.queues.get(topic);
    this.queues.delete(topic);
    for (const queue of byId?.values() ?? []) await queue.destroy();
    await rm(join(this.dir, topic), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.creating.values());
    const queues = Array.from(this.all());
    this.queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
  }

  private add(queue: ConsumeQueue): void {
    let byId = this.queues.get(queue.topic);
    if (byId === undefined) {
      byId = new Map();
      this.queues.set(queue.topic, byId);
    }
    byId.set(queue.queueId, queue);
  }
}
