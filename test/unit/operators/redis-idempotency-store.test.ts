import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisIdempotencyStore } from '../../../src/operators/redis-idempotency-store.js';

describe('RedisIdempotencyStore (ioredis-mock)', () => {
  let redis: Redis;
  let store: RedisIdempotencyStore;

  beforeEach(() => {
    redis = new RedisMock();
    store = new RedisIdempotencyStore({ redis, prefix: 'g1:' });
  });

  afterEach(async () => {
    await redis.flushall();
    redis.disconnect();
  });

  it('starts a key once: the second begin finds it consuming', async () => {
    expect(await lastValueFrom(store.begin$('m1', 't1', 60_000))).toBe('started');
    expect(await lastValueFrom(store.begin$('m1', 't2', 60_000))).toBe('consuming');
    expect(await redis.get('g1:m1')).toBe('consuming:t1');
    expect(await redis.pttl('g1:m1')).toBeGreaterThan(0);
  });

  it('answers consumed after complete, with the TTL on the key', async () => {
    await lastValueFrom(store.begin$('m1', 't1', 60_000));
    await lastValueFrom(store.complete$('m1', 3_600_000));
    expect(await lastValueFrom(store.begin$('m1', 't2', 60_000))).toBe('consumed');
    const ttl = await redis.pttl('g1:m1');
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('releases only its own consuming mark', async () => {
    await lastValueFrom(store.begin$('m1', 't1', 60_000));
    await lastValueFrom(store.release$('m1', 'someone-else'));
    expect(await redis.get('g1:m1')).toBe('consuming:t1');
    await lastValueFrom(store.release$('m1', 't1'));
    expect(await redis.get('g1:m1')).toBeNull();
    expect(await lastValueFrom(store.begin$('m1', 't3', 60_000))).toBe('started');
  });

  it('never releases a consumed key', async () => {
    await lastValueFrom(store.begin$('m1', 't1', 60_000));
    await lastValueFrom(store.complete$('m1', 60_000));
    await lastValueFrom(store.release$('m1', 't1'));
    expect(await redis.get('g1:m1')).toBe('consumed');
  });

  it('keeps groups apart by prefix', async () => {
    const other = new RedisIdempotencyStore({ redis, prefix: 'g2:' });
    await lastValueFrom(store.begin$('m1', 't1', 60_000));
    expect(await lastValueFrom(other.begin$('m1', 't1', 60_000))).toBe('started');
  });

  it('does nothing until subscribed', async () => {
    store.begin$('m1', 't1', 60_000);
    expect(await redis.exists('g1:m1')).toBe(0);
  });
});
