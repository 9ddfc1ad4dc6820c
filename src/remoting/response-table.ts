import { type SchedulerLike, type Subscriber, type Subscription, asyncScheduler } from 'rxjs';
import { RemotingConnectionError, RemotingTimeoutError } from '../errors.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';

interface Pending {
  readonly subscriber: Subscriber<RemotingCommand>;
  readonly deadline: number;
  readonly timeoutMs: number;
}

/**
 * Calls waiting for their response, by opaque. Each entry fails by itself when its time is up; `failAll`
 * fails every entry at once when the connection drops, long before their timeouts.
 *
 * One scheduled action, armed for the earliest deadline, serves every entry: a timer per call (set and
 * cleared for each of tens of thousands of sends a second) cost more than the rest of the bookkeeping.
 */
export class ResponseTable {
  private readonly pending = new Map<number, Pending>();
  private nextOpaque = 1;
  private alarm: Subscription | undefined;
  private alarmAt = Infinity;

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
    const deadline = this.scheduler.now() + timeoutMs;
    this.pending.set(opaque, { subscriber, deadline, timeoutMs });
    if (deadline < this.alarmAt) this.arm(deadline);
    return {
      opaque,
      forget: () => {
        if (this.pending.get(opaque)?.subscriber === subscriber) this.remove(opaque);
      },
    };
  }

  /** Returns false for a response nobody waits for (timed out, or never asked). */
  resolve(response: RemotingCommand): boolean {
    const entry = this.pending.get(response.opaque);
    if (entry === undefined) return false;
    this.remove(response.opaque);
    entry.subscriber.next(response);
    entry.subscriber.complete();
    return true;
  }

  failAll(reason: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.disarm();
    for (const entry of entries) {
      entry.subscriber.error(new RemotingConnectionError(this.address, reason));
    }
  }

  private remove(opaque: number): void {
    this.pending.delete(opaque);
    if (this.pending.size === 0) this.disarm();
  }

  private arm(at: number): void {
    this.alarm?.unsubscribe();
    this.alarmAt = at;
    this.alarm = this.scheduler.schedule(
      () => {
        this.alarm = undefined;
        this.alarmAt = Infinity;
        this.expire();
      },
      Math.max(0, at - this.scheduler.now()),
    );
  }

  private disarm(): void {
    this.alarm?.unsubscribe();
    this.alarm = undefined;
    this.alarmAt = Infinity;
  }

  private expire(): void {
    const now = this.scheduler.now();
    const expired: Pending[] = [];
    let next = Infinity;
    for (const [opaque, entry] of this.pending) {
      if (entry.deadline <= now) {
        this.pending.delete(opaque);
        expired.push(entry);
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    if (next < Infinity) this.arm(next);
    for (const entry of expired) {
      entry.subscriber.error(new RemotingTimeoutError(this.address, entry.timeoutMs));
    }
  }
}
