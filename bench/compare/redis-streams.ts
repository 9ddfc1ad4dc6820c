import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { findOnPath } from './installed.js';
import { startServerProcess } from './server-process.js';
import type { ComparedSystem, SystemLauncher } from './system.js';
import { tempDataDir } from './temp-data-dir.js';

const KEY = 'bench-compare';
const GROUP = 'bench-compare-consumer';
/** Entries one XREADGROUP asks for: as many as RxRocket's push consumer pulls at once (8 queues x 32). */
const READ_COUNT = 256;

/**
 * Redis Streams through ioredis: Debian's redis-server on a free loopback port with its data in a temp dir,
 * the AOF on with `appendfsync` as given and RDB snapshots off (the AOF is the durability compared). XADD to
 * send; XREADGROUP of up to 256 entries, each batch XACKed while the next one is read, to consume.
 */
export function redisStreams(appendfsync: 'everysec' | 'always'): SystemLauncher {
  return {
    system: 'Redis',
    durability: `appendfsync ${appendfsync}`,
    unavailable: async () =>
      (await findOnPath('redis-server')) === undefined
        ? 'redis-server not installed (apt-get install -y redis-server)'
        : undefined,
    start: async (body) => {
      const dir = await tempDataDir('redis');
      const port = await freePort();
      const server = await startServerProcess(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path],
          ...['--appendonly', 'yes', '--appendfsync', appendfsync, '--save', ''],
        ],
        /Ready to accept connections/,
      ).catch(async (error: unknown) => {
        await dir.remove();
        throw error;
      });
      const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
      const system: ComparedSystem = {
        send: () => redis.xadd(KEY, '*', 'body', body),
        consumeAll: async (count) => {
          await redis.xgroup('CREATE', KEY, GROUP, '0');
          const acks: Promise<number>[] = [];
          let read = 0;
          while (read < count) {
            const reply = (await redis.callBuffer(
              'XREADGROUP',
              'GROUP',
              GROUP,
              'bench',
              'COUNT',
              READ_COUNT,
              'STREAMS',
              KEY,
              '>',
            )) as [Buffer, [Buffer, Buffer[]][]][] | null;
            const entries = reply?.[0]?.[1] ?? [];
            if (entries.length === 0) throw new Error(`the stream ended after ${read} of ${count} entries`);
            acks.push(redis.xack(KEY, GROUP, ...entries.map(([id]) => id)));
            read += entries.length;
          }
          await Promise.all(acks);
        },
        close: async () => {
          redis.disconnect();
          await server.stop();
          await dir.remove();
        },
      };
      return system;
    },
  };
}
