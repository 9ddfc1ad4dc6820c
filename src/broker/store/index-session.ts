import { CommitLogReader } from './commit-log-reader.js';
import { IndexBuilder } from './index-builder.js';
import type { IndexOp, IndexSessionReply, IndexStoreFiles } from './index-protocol.js';
import { IndexService } from './index-service.js';

type Reply = (reply: IndexSessionReply) => void;

/**
 * One store's index on the index thread: its IndexService, built from its CommitLog files (IndexBuilder),
 * answering the store's requests one at a time, in order.
 */
export class IndexSession {
  private queue: Promise<void> = Promise.resolve();
  private catchUpQueued = false;
  private failing = false;

  private constructor(
    private readonly index: IndexService,
    private readonly reader: CommitLogReader,
    private readonly builder: IndexBuilder,
    private readonly reply: Reply,
  ) {}

  /** Opens the store's index files; rejects when they cannot be opened. */
  static async open(files: IndexStoreFiles, reply: Reply): Promise<IndexSession> {
    const index = await IndexService.load(files.indexDir, files.geometry);
    const reader = new CommitLogReader(files.commitLogDir, files.commitLogFileSize);
    const builder = new IndexBuilder(index, reader, (fields, message) => {
      reply({ kind: 'log', level: 'error', fields, message });
    });
    return new IndexSession(index, reader, builder, reply);
  }

  /** Takes a request; resolves once it is answered (a close: once the files are closed). */
  handle(request: Exclude<IndexOp, { op: 'open' }>): Promise<void> {
    const { builder, index } = this;
    switch (request.op) {
      case 'indexTo':
        builder.announce(request.end);
        return this.catchUpLater();
      case 'startFrom':
        return this.answer(request.id, () => {
          builder.startFrom(request.offset);
          return Promise.resolve(this.done(request.id));
        });
      case 'query':
        return this.answer(request.id, async () => {
          await builder.catchUp(request.through);
          const { topic, key, maxNum, begin, end } = request;
          return { kind: 'found', id: request.id, result: await index.query(topic, key, maxNum, begin, end) };
        });
      case 'flush':
        return this.answer(request.id, async () => {
          await builder.catchUp(request.through);
          await index.flush();
          return this.done(request.id);
        });
      case 'truncateBeyond':
        return this.answer(request.id, async () => {
          await index.truncateBeyond(request.commitLogEnd);
          return this.done(request.id);
        });
      case 'deleteExpired':
        return this.answer(request.id, async () => {
          await index.deleteExpired(request.commitLogMinOffset);
          return this.done(request.id);
        });
      case 'close':
        return this.answer(request.id, async () => {
          try {
            await builder.catchUp(request.through);
          } finally {
            await index.close();
            this.reader.close();
          }
          return this.done(request.id);
        });
    }
  }

  private done(id: number): IndexSessionReply {
    return { kind: 'done', id, flushedTimestamp: this.index.flushedTimestamp };
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job);
    return this.queue;
  }

  private answer(id: number, job: () => Promise<IndexSessionReply>): Promise<void> {
    return this.enqueue(async () => {
      try {
        this.reply(await job());
      } catch (error) {
        this.reply({ kind: 'error', id, error: error instanceof Error ? error.message : String(error) });
      }
    });
  }

  private catchUpLater(): Promise<void> {
    if (this.catchUpQueued) return this.queue;
    this.catchUpQueued = true;
    return this.enqueue(async () => {
      this.catchUpQueued = false;
      try {
        await this.builder.catchUp();
        if (this.failing)
          this.reply({ kind: 'log', level: 'info', fields: {}, message: 'index building recovered' });
        this.failing = false;
      } catch (error) {
        if (!this.failing) {
          this.reply({
            kind: 'log',
            level: 'error',
            fields: { error: String(error) },
            message: 'index building failed; retried on the next dispatch',
          });
        }
        this.failing = true;
      }
    });
  }
}
