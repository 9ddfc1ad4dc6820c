import { Redis } from 'ioredis';

/** Where the real redis-server is: REDIS_URL (.ci/run sets it), else the default local port. */
export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A connected client, or the reason there is none. In CI a missing server is an error, never a skip;
 * elsewhere the caller skips and prints the reason.
 */
export async function connectRedis(): Promise<{ redis: Redis } | { reason: string }> {
  const url = redisUrl();
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connection is reported below; without a listener ioredis also prints it as unhandled.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (error) {
    redis.disconnect();
    const reason = `no redis-server reachable at ${url} (${String(error)}); set REDIS_URL or run .ci/run`;
    if (process.env.CI === 'true')
      throw new Error(`CI must run the Redis integration test: ${reason}`, { cause: error });
    return { reason };
  }
}
