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
  private holds = 0;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: IndexReply) => {
      this.listeners.get(reply.session)?.(reply);
    });
    worker.on('error', (error) => {
      this.end(error);
    });
    worker.on('exit', (code) => {
      this.end(new RxRocketError('ERR_INDEX_THREAD', `the index thread exited (code ${code})`));
    });
    // After the listeners, which ref the thread again: a process whose stores are closed (or left open by a
    // test that failed midway) must be able to exit with the thread idle. Requests waiting for an answer hold
    // it (`hold`), or a process awaiting one would exit under it.
    worker.unref();
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

  /** Keeps the process alive until the matching `release`: an answer is awaited. */
  hold(): void {
    if (this.holds++ === 0) this.worker.ref();
  }

  release(): void {
    if (--this.holds === 0) this.worker.unref();
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
