import type { Redis } from 'ioredis';
import { type Observable, defer, map, mergeMap, of } from 'rxjs';
import type { IdempotencyState, IdempotencyStore } from './idempotency-store.js';

export interface RedisIdempotencyStoreOptions {
  /** A connected ioredis client; the store neither opens nor closes it. */
  readonly redis: Redis;
  /** Prepended to every key: name the consumer group, so two groups consuming one message both handle it. */
  readonly prefix: string;
}

const CONSUMED = 'consumed';
const consumingBy = (token: string): string => `consuming:${token}`;

/** Deletes the key only while it still holds the caller's consuming mark: never another consumer's. */
const RELEASE_IF_OWNED = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * An IdempotencyStore on Redis, shared by every consumer of the group: begin is one SET NX PX (atomic, so
 * exactly one consumer starts a message), completion a plain SET PX, and release a compare-and-delete script.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisIdempotencyStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
  }

  begin$(key: string, token: string, timeoutMs: number): Observable<IdempotencyState> {
    const k = this.prefix + key;
    return defer(() => this.redis.set(k, consumingBy(token), 'PX', timeoutMs, 'NX')).pipe(
      mergeMap((ok) =>
        ok === 'OK'
          ? of<IdempotencyState>('started')
          : // Gone between the two calls means its mark just expired: 'consuming' makes it come back later.
            defer(() => this.redis.get(k)).pipe(
              map((value): IdempotencyState => (value === CONSUMED ? 'consumed' : 'consuming')),
            ),
      ),
    );
  }

  complete$(key: string, ttlMs: number): Observable<void> {
    return defer(() => this.redis.set(this.prefix + key, CONSUMED, 'PX', ttlMs)).pipe(map(() => undefined));
  }

  release$(key: string, token: string): Observable<void> {
    return defer(() => this.redis.eval(RELEASE_IF_OWNED, 1, this.prefix + key, consumingBy(token))).pipe(
      map(() => undefined),
    );
  }
}
