/**
 * The index thread's entry: owns the store's IndexService and builds it from the CommitLog files (see
 * IndexBuilder), answering the store's requests (index-protocol.ts) one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CommitLogReader } from './commit-log-reader.js';
import { IndexBuilder } from './index-builder.js';
import type { IndexReply, IndexRequest, IndexWorkerData } from './index-protocol.js';
import { IndexService } from './index-service.js';

const port = parentPort;
if (port === null) throw new Error('index-worker.ts runs as a worker thread');
const data = workerData as IndexWorkerData;
const post = (reply: IndexReply): void => {
  port.postMessage(reply);
};
const log = (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void => {
  post({ kind: 'log', level, fields, message });
};

let index: IndexService;
try {
  index = await IndexService.load(data.indexDir, data.geometry);
} catch (error) {
  post({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
  port.close();
  process.exit(1);
}
const reader = new CommitLogReader(data.commitLogDir, data.commitLogFileSize);
const builder = new IndexBuilder(index, reader, (fields, message) => {
  log('error', fields, message);
});

let queue: Promise<void> = Promise.resolve();
let catchUpQueued = false;
let failing = false;

function enqueue(job: () => Promise<void>): void {
  queue = queue.then(job);
}

function answer(id: number, job: () => Promise<IndexReply>): void {
  enqueue(async () => {
    try {
      post(await job());
    } catch (error) {
      post({ kind: 'error', id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}

const done = (id: number): IndexReply => ({ kind: 'done', id, flushedTimestamp: index.flushedTimestamp });

function catchUpLater(): void {
  if (catchUpQueued) return;
  catchUpQueued = true;
  enqueue(async () => {
    catchUpQueued = false;
    try {
      await builder.catchUp();
      if (failing) log('info', {}, 'index building recovered');
      failing = false;
    } catch (error) {
      if (!failing)
        log('error', { error: String(error) }, 'index building failed; retried on the next dispatch');
      failing = true;
    }
  });
}

port.on('message', (request: IndexRequest) => {
  switch (request.op) {
    case 'indexTo':
      builder.announce(request.end);
      catchUpLater();
      return;
    case 'startFrom':
      answer(request.id, () => {
        builder.startFrom(request.offset);
        return Promise.resolve(done(request.id));
      });
      return;
    case 'query':
      answer(request.id, async () => {
        await builder.catchUp(request.through);
        const result = await index.query(
          request.topic,
          request.key,
          request.maxNum,
          request.begin,
          request.end,
        );
        return { kind: 'found', id: request.id, result };
      });
      return;
    case 'flush':
      answer(request.id, async () => {
        await builder.catchUp(request.through);
        await index.flush();
        return done(request.id);
      });
      return;
    case 'truncateBeyond':
      answer(request.id, async () => {
        await index.truncateBeyond(request.commitLogEnd);
        return done(request.id);
      });
      return;
    case 'deleteExpired':
      answer(request.id, async () => {
        await index.deleteExpired(request.commitLogMinOffset);
        return done(request.id);
      });
      return;
    case 'close':
      answer(request.id, async () => {
        try {
          await builder.catchUp(request.through);
        } finally {
          await index.close();
          reader.close();
        }
        return done(request.id);
      });
      enqueue(() => {
        port.close();
        return Promise.resolve();
      });
      return;
  }
});
post({ kind: 'ready' });
