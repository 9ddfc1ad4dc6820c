import { type Observable, type SchedulerLike, asyncScheduler, defer, of } from 'rxjs';
import type { IdempotencyState, IdempotencyStore } from './idempotency-store.js';

interface Entry {
  readonly state: 'consuming' | 'consumed';
  readonly token: string;
  readonly expiresAt: number;
}

/** Every this many begins, expired entries are swept, so a long run keeps only live keys. */
const SWEEP_EVERY = 1024;

/**
 * An IdempotencyStore in this process's memory, timed by `scheduler` (virtual time in marble tests). It
 * deduplicates within one process only; consumers on several hosts need a shared store such as Redis.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private beginsSinceSweep = 0;

  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  /** Live keys, for tests and metrics. */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  begin$(key: string, token: string, timeoutMs: number): Observable<IdempotencyState> {
    return defer(() => {
      if (++this.beginsSinceSweep >= SWEEP_EVERY) this.sweep();
      const entry = this.live(key);
      if (entry !== undefined) return of(entry.state);
      this.entries.set(key, { state: 'consuming', token, expiresAt: this.scheduler.now() + timeoutMs });
      return of<IdempotencyState>('started');
    });
  }

  complete$(key: string, ttlMs: number): Observable<void> {
    return defer(() => {
      this.entries.set(key, { state: 'consumed', token: '', expiresAt: this.scheduler.now() + ttlMs });
      return of(undefined);
    });
  }

  release$(key: string, token: string): Observable<void> {
    return defer(() => {
      const entry = this.live(key);
      if (entry?.state === 'consuming' && entry.token === token) this.entries.delete(key);
      return of(undefined);
    });
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAt > this.scheduler.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private sweep(): void {
    this.beginsSinceSweep = 0;
    const now = this.scheduler.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
