import type { Worker } from 'node:worker_threads';
import { RxRocketError } from '../../errors.js';
import { startModuleWorker } from '../module-worker.js';
import type { IndexReply, IndexRequest } from './index-protocol.js';

type Listener = (reply: IndexReply | Error) => void;

/**
 * The process's one index thread (index-worker.ts), shared by every store it opens: a second thread per
 * store would only compete for the same second core, and each costs a start.
 */
export class IndexWorkerHost {
  private readonly listeners = new Map<number, Listener>();
  private nextSession = 1;

  constructor(private readonly worker: Worker) {
    // Stores left open (a test that fails midway) must not keep the process alive for their index.
    worker.unref();
    worker.on('message', (reply: IndexReply) => {
      this.listeners.get(reply.session)?.(reply);
    });
    worker.on('error', (error) => {
      this.end(error);
    });
    worker.on('exit', (code) => {
      this.end(new RxRocketError('ERR_INDEX_THREAD', `the index thread exited (code ${code})`));
    });
  }

  /** A new session; `listener` hears its replies, or the error that ended the thread. */
  attach(listener: Listener): number {
    const session = this.nextSession++;
    this.listeners.set(session, listener);
    return session;
  }

  detach(session: number): void {
    this.listeners.delete(session);
  }

  post(request: IndexRequest): void {
    this.worker.postMessage(request);
  }

  private end(error: Error): void {
    if (host === this) host = undefined;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    for (const listener of listeners) listener(error);
  }
}

let host: IndexWorkerHost | undefined;

/** The running index thread, started by the first store (and again after one died). */
export function indexWorkerHost(): IndexWorkerHost {
  host ??= new IndexWorkerHost(startModuleWorker(new URL('./index-worker.js', import.meta.url), undefined));
  return host;
}
