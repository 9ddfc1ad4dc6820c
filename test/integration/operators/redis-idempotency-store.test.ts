import { randomUUID } from 'node:crypto';
import { type Observable, firstValueFrom, lastValueFrom, of, take, timer, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ackOnSuccess } from '../../../src/operators/ack-on-success.js';
import { idempotent } from '../../../src/operators/idempotent.js';
import { RedisIdempotencyStore } from '../../../src/operators/redis-idempotency-store.js';
import { MessageFactory } from '../../../src/testing/message-factory.js';
import { connectRedis } from '../../helpers/redis-server.js';

const connection = await connectRedis();
if ('reason' in connection) console.warn(`skipping the real Redis tests: ${connection.reason}`);

describe.skipIf('reason' in connection)('RedisIdempotencyStore on a real redis-server', () => {
  const redis = 'redis' in connection ? connection.redis : undefined!;
  // A fresh prefix per run: the server may be shared, and nothing here depends on its other keys.
  const prefix = `rxrocket-test:${randomUUID()}:`;
  const store = new RedisIdempotencyStore({ redis, prefix });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('moves a key from started to consuming to consumed, and releases only its own mark', async () => {
    expect(await lastValueFrom(store.begin$('m1', 't1', 60_000))).toBe('started');
    expect(await lastValueFrom(store.begin$('m1', 't2', 60_000))).toBe('consuming');
    await lastValueFrom(store.release$('m1', 't2'));
    expect(await redis.get(`${prefix}m1`)).toBe('consuming:t1');
    await lastValueFrom(store.release$('m1', 't1'));
    expect(await lastValueFrom(store.begin$('m1', 't3', 60_000))).toBe('started');
    await lastValueFrom(store.complete$('m1', 60_000));
    expect(await lastValueFrom(store.begin$('m1', 't4', 60_000))).toBe('consumed');
  });

  it("lets a consuming mark expire on the server, so a dead consumer's message is taken again", async () => {
    expect(await lastValueFrom(store.begin$('m2', 'dead', 50))).toBe('started');
    let state = await lastValueFrom(store.begin$('m2', 'alive', 60_000));
    for (let polls = 0; state !== 'started' && polls < 100; polls++) {
      await firstValueFrom(timer(20));
      state = await lastValueFrom(store.begin$('m2', 'alive', 60_000));
    }
    expect(state).toBe('started');
  });

  it('handles a message once across two consumers sharing the store', async () => {
    const f = new MessageFactory();
    const handled: string[] = [];
    const consume = (source$: Observable<ReturnType<MessageFactory['message']>>) =>
      lastValueFrom(
        source$.pipe(
          idempotent({ store }),
          ackOnSuccess((m) => {
            handled.push(m.msgId);
            return of(true);
          }),
        ),
        { defaultValue: undefined },
      );
    // The guarded ack() reaches the message once Redis has stored "consumed", after the pipeline is done.
    const settled = lastValueFrom(f.settlements$.pipe(take(4), toArray()));
    await consume(of(f.message('m3'), f.message('m4')));
    await consume(of(f.message('m3'), f.message('m5')));
    expect(handled).toEqual(['m3', 'm4', 'm5']);
    expect((await settled).map((s) => `${s.type}:${s.msgId}`).sort()).toEqual([
      'ack:m3',
      'ack:m3',
      'ack:m4',
      'ack:m5',
    ]);
  });
});
