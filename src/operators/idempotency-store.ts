import type { Observable } from 'rxjs';

/** What begin$ found: nothing (now marked consuming by this caller), another consumer at work, or done. */
export type IdempotencyState = 'started' | 'consuming' | 'consumed';

/**
 * Where `idempotent` keeps what it has seen. A key is either consuming (a consumer took it and has not
 * finished; the mark expires after a timeout, so a consumer that died mid-way does not block it for ever)
 * or consumed (finished; kept for a TTL, long enough to cover redeliveries).
 */
export interface IdempotencyStore {
  /** Marks `key` consuming by `token` for `timeoutMs` when it has no state; answers the state it found. */
  begin$(key: string, token: string, timeoutMs: number): Observable<IdempotencyState>;
  /** Marks `key` consumed for `ttlMs`, whoever held the consuming mark. */
  complete$(key: string, ttlMs: number): Observable<void>;
  /** Drops the consuming mark if `token` still holds it, so a redelivery is handled at once. */
  release$(key: string, token: string): Observable<void>;
}
