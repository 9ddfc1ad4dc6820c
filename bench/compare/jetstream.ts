import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AckPolicy, connect, DeliverPolicy, StorageType } from 'nats';
import { freePort } from './free-port.js';
import { findOnPath } from './installed.js';
import { startServerProcess } from './server-process.js';
import type { ComparedSystem, SystemLauncher } from './system.js';
import { tempDataDir } from './temp-data-dir.js';
import { natsSupportsSyncAlways } from './nats-sync-support.js';

const STREAM = 'BENCH_COMPARE';
const SUBJECT = 'bench.compare';
const DURABLE = 'bench-compare-consumer';
/** Messages the pull consumer asks for at once: as many as RxRocket's push consumer pulls (8 queues x 32). */
const PULL_MAX = 256;

export type JetStreamSync = 'default' | 'always';

/**
 * NATS JetStream through the `nats` client: Debian's `nats-server -js` on a free loopback port with file
 * storage in a temp dir, a file-storage stream, `js.publish` (resolves at the server's PubAck) to send, and a
 * durable pull consumer with explicit acks to consume. `default` keeps the server's fsync interval (2 min);
 * `always` sets `sync_interval: always`, which nats-server has only from 2.10 on.
 */
export function jetStream(sync: JetStreamSync): SystemLauncher {
  return {
    system: 'JetStream',
    durability: sync === 'default' ? 'file, default sync (2 min)' : 'file, sync_interval always',
    unavailable: async () => {
      if ((await findOnPath('nats-server')) === undefined) {
        return 'nats-server not installed (apt-get install -y nats-server)';
      }
      if (sync === 'always' && !(await natsSupportsSyncAlways())) {
        return 'no sync_interval before nats-server 2.10';
      }
      return undefined;
    },
    start: async (body) => {
      const dir = await tempDataDir('nats');
      const port = await freePort();
      const config = join(dir.path, 'nats.conf');
      const store = join(dir.path, 'store');
      await writeFile(
        config,
        [
          `listen: "127.0.0.1:${port}"`,
          `jetstream {`,
          `  store_dir: ${JSON.stringify(store)}`,
          ...(sync === 'always' ? ['  sync_interval: always'] : []),
          `}`,
          '',
        ].join('\n'),
      );
      const server = await startServerProcess('nats-server', ['-c', config], /Server is ready/).catch(
        async (error: unknown) => {
          await dir.remove();
          throw error;
        },
      );
      const nc = await connect({ servers: `127.0.0.1:${port}` });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], storage: StorageType.File });
      const js = nc.jetstream();
      const system: ComparedSystem = {
        send: () => js.publish(SUBJECT, body),
        consumeAll: async (count) => {
          await jsm.consumers.add(STREAM, {
            durable_name: DURABLE,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
          });
          const consumer = await js.consumers.get(STREAM, DURABLE);
          const messages = await consumer.consume({ max_messages: PULL_MAX });
          let received = 0;
          for await (const m of messages) {
            if (++received < count) {
              m.ack();
              continue;
            }
            // the server confirms this last ack only after the acks before it on the same connection; the
            // break ends the pull subscription (an explicit close() after it would never resolve)
            await m.ackAck();
            break;
          }
          if (received < count) throw new Error(`the consumer ended after ${received} of ${count} messages`);
        },
        close: async () => {
          await nc.drain();
          await server.stop();
          await dir.remove();
        },
      };
      return system;
    },
  };
}
