import { RxRocketError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { IndexOp, IndexReply, IndexStoreFiles } from './index-protocol.js';
import type { IndexQueryResult } from './index-service.js';
import { type IndexWorkerHost, indexWorkerHost } from './index-worker-host.js';

interface Pending {
  resolve(reply: IndexReply): void;
  reject(error: Error): void;
}

/**
 * A store's index, kept on the index thread (index-worker.ts). Building index entries costs the put path as
 * much as a ConsumeQueue entry and a third of encoding the record, so it runs on the machine's other core,
 * reading the committed CommitLog from its files; the store only says how far it has dispatched.
 */
export class IndexThread {
  private readonly pending = new Map<number, Pending>();
  private readonly session: number;
  private nextId = 1;
  private flushedTs = 0;
  private dead: Error | undefined;
  private lastAnnounced = -1;
  private closing = false;

  private constructor(
    private readonly host: IndexWorkerHost,
    private readonly logger: Logger,
  ) {
    this.session = host.attach((reply) => {
      if (reply instanceof Error) this.fail(reply);
      else this.onReply(reply);
    });
  }

  /** Opens the store's index files on the index thread; rejects when they cannot be opened. */
  static async start(files: IndexStoreFiles, logger: Logger): Promise<IndexThread> {
    const thread = new IndexThread(indexWorkerHost(), logger);
    try {
      await thread.request((id) => ({ op: 'open', id, files }));
    } catch (error) {
      thread.host.detach(thread.session);
      throw new RxRocketError('ERR_INDEX_OPEN', error instanceof Error ? error.message : String(error));
    }
    return thread;
  }

  /** Store timestamp of the newest entry that reached the disk by the last flush. */
  get flushedTimestamp(): number {
    return this.flushedTs;
  }

  /** Records before `end` are committed and dispatched: the thread indexes them in the background. */
  indexTo(end: number): void {
    if (this.dead !== undefined || end <= this.lastAnnounced) return;
    this.lastAnnounced = end;
    this.host.post({ op: 'indexTo', end, session: this.session });
  }

  /** Where reading starts after recovery. */
  async startFrom(offset: number): Promise<void> {
    await this.request((id) => ({ op: 'startFrom', id, offset }));
  }

  /** The index service's query once everything before `through` is indexed. */
  async query(
    through: number,
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<IndexQueryResult> {
    const reply = await this.request((id) => ({ op: 'query', id, through, topic, key, maxNum, begin, end }));
    if (reply.kind !== 'found') throw new RxRocketError('ERR_INDEX_THREAD', `unexpected reply ${reply.kind}`);
    return reply.result;
  }

  /** Indexes everything before `through`, then writes the index files and fdatasyncs. */
  async flush(through: number): Promise<void> {
    await this.request((id) => ({ op: 'flush', id, through }));
  }

  async truncateBeyond(commitLogEnd: number): Promise<void> {
    await this.request((id) => ({ op: 'truncateBeyond', id, commitLogEnd }));
  }

  async deleteExpired(commitLogMinOffset: number): Promise<void> {
    await this.request((id) => ({ op: 'deleteExpired', id, commitLogMinOffset }));
  }

  /** Indexes everything before `through`, flushes and closes the files; the session then ends. */
  async close(through: number): Promise<void> {
    if (this.dead !== undefined) return;
    this.closing = true;
    try {
      await this.request((id) => ({ op: 'close', id, through }));
    } finally {
      this.host.detach(this.session);
      this.fail(new RxRocketError('ERR_INDEX_CLOSED', 'the index thread is closed for this store'));
    }
  }

  private request(build: (id: number) => IndexOp): Promise<IndexReply> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    this.host.hold();
    return new Promise<IndexReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.host.post({ ...build(id), session: this.session });
    }).finally(() => {
      this.host.release();
    });
  }

  private onReply(reply: IndexReply): void {
    if (reply.kind === 'log') {
      this.logger[reply.level](reply.fields, reply.message);
      return;
    }
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'error') {
      waiter.reject(new RxRocketError('ERR_INDEX', reply.error));
      return;
    }
    if (reply.kind === 'done') this.flushedTs = Math.max(this.flushedTs, reply.flushedTimestamp);
    waiter.resolve(reply);
  }

  private fail(error: Error): void {
    if (this.dead !== undefined) return;
    this.dead = error;
    if (!this.closing) {
      this.logger.error(
        { error: error.message },
        'the index thread stopped; lookups by key fail until restart',
      );
    }
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
