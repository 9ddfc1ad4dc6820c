import type { Worker } from 'node:worker_threads';
import { RxRocketError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { startModuleWorker } from '../module-worker.js';
import type { IndexReply, IndexRequest, IndexWorkerData } from './index-protocol.js';
import type { IndexQueryResult } from './index-service.js';

interface Pending {
  resolve(reply: IndexReply): void;
  reject(error: Error): void;
}

/**
 * The store's side of the index thread (index-worker.ts). Building index entries costs the put path as much
 * as a ConsumeQueue entry and a third of encoding the record, so it runs on the machine's other core,
 * reading the committed CommitLog from its files; the store only says how far it has dispatched.
 */
export class IndexThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private flushedTs = 0;
  private dead: Error | undefined;
  private lastAnnounced = -1;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    // A store left open (a test that fails midway) must not keep the process alive for its index.
    worker.unref();
    worker.on('message', (reply: IndexReply) => {
      this.onReply(reply);
    });
    worker.on('error', (error) => {
      this.fail(error);
    });
    worker.on('exit', (code) => {
      this.fail(new RxRocketError('ERR_INDEX_THREAD', `the index thread exited (code ${code})`));
    });
  }

  /** Starts the thread, which opens the index files; rejects when they cannot be opened. */
  static start(data: IndexWorkerData, logger: Logger): Promise<IndexThread> {
    const worker = startModuleWorker(new URL('./index-worker.js', import.meta.url), data);
    return new Promise((resolve, reject) => {
      const onFirst = (reply: IndexReply): void => {
        if (reply.kind === 'log') return;
        worker.off('message', onFirst);
        worker.off('error', onError);
        if (reply.kind === 'ready') resolve(new IndexThread(worker, logger));
        else reject(new RxRocketError('ERR_INDEX_OPEN', reply.kind === 'failed' ? reply.error : 'no ready'));
      };
      const onError = (error: Error): void => {
        worker.off('message', onFirst);
        reject(error);
      };
      worker.on('message', onFirst);
      worker.once('error', onError);
    });
  }

  /** Store timestamp of the newest entry that reached the disk by the last flush. */
  get flushedTimestamp(): number {
    return this.flushedTs;
  }

  /** Records before `end` are committed and dispatched: the thread indexes them in the background. */
  indexTo(end: number): void {
    if (this.dead !== undefined || end <= this.lastAnnounced) return;
    this.lastAnnounced = end;
    this.post({ op: 'indexTo', end });
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

  /** Indexes everything before `through`, flushes and closes the files; the thread then ends. */
  async close(through: number): Promise<void> {
    if (this.dead !== undefined) return;
    this.closing = true;
    try {
      await this.request((id) => ({ op: 'close', id, through }));
    } finally {
      await this.worker.terminate();
      this.fail(new RxRocketError('ERR_INDEX_CLOSED', 'the index thread is closed'));
    }
  }

  private request(build: (id: number) => IndexRequest): Promise<IndexReply> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(build(id));
    });
  }

  private post(request: IndexRequest): void {
    this.worker.postMessage(request);
  }

  private onReply(reply: IndexReply): void {
    if (reply.kind === 'log') {
      this.logger[reply.level](reply.fields, reply.message);
      return;
    }
    if (reply.kind === 'ready' || reply.kind === 'failed') return;
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
