import { type SchedulerLike, type Subscriber, type Subscription, asyncScheduler, timer } from 'rxjs';
import { RemotingConnectionError, RemotingTimeoutError } from '../errors.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';

interface Pending {
  readonly subscriber: Subscriber<RemotingCommand>;
  readonly timeout: Subscription;
}

/**
 * Calls waiting for their response, by opaque. Each entry fails by itself when its time is up; `failAll`
 * fails every entry at once when the connection drops, long before their timeouts.
 */
export class ResponseTable {
  private readonly pending = new Map<number, Pending>();
  private nextOpaque = 1;

  constructor(
    private readonly address: string,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a call and returns its opaque; the returned function forgets it (the caller unsubscribed). */
  add(subscriber: Subscriber<RemotingCommand>, timeoutMs: number): { opaque: number; forget: () => void } {
    const opaque = this.nextOpaque;
    this.nextOpaque = this.nextOpaque >= 0x7fffffff ? 1 : this.nextOpaque + 1;
    const timeout = timer(timeoutMs, this.scheduler).subscribe(() => {
      this.pending.delete(opaque);
      subscriber.error(new RemotingTimeoutError(this.address, timeoutMs));
    });
    this.pending.set(opaque, { subscriber, timeout });
    return {
      opaque,
      forget: () => {
        const entry = this.pending.get(opaque);
        if (entry?.subscriber === subscriber) {
          entry.timeout.unsubscribe();
          this.pending.delete(opaque);
        }
      },
    };
  }

  /** Returns false for a response nobody waits for (timed out, or never asked). */
  resolve(response: RemotingCommand): boolean {
    const entry = this.pending.get(response.opaque);
    if (entry === undefined) return false;
    this.pending.delete(response.opaque);
    entry.timeout.unsubscribe();
    entry.subscriber.next(response);
    entry.subscriber.complete();
    return true;
  }

  failAll(reason: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      entry.timeout.unsubscribe();
      entry.subscriber.error(new RemotingConnectionError(this.address, reason));
    }
  }
}
