import { firstValueFrom } from 'rxjs';
import { builtClient, builtTesting } from '../built.js';
import { drainThroughConsume } from '../consume-timing.js';
import type { ComparedSystem, SystemLauncher } from './system.js';
import { tempDataDir } from './temp-data-dir.js';

const { createProducer } = builtClient;
const { startBrokerProcess } = builtTesting;

const TOPIC = 'BenchCompare';
const QUEUES = 8;

/**
 * RxRocket as users run it: `node dist/broker` in its own process (dev mode, a temp store like the peers') at the given
 * flushDiskType, the built producer's send$, and a push consumer whose handler succeeds at once (RocketMQ's
 * ack), timed until its shutdown has written the group's offsets back to the broker.
 */
export function rxrocket(flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH'): SystemLauncher {
  return {
    system: 'RxRocket',
    durability: flush,
    unavailable: () => Promise.resolve(undefined),
    start: async (body) => {
      const dir = await tempDataDir('rxrocket');
      const broker = await startBrokerProcess({ storeDir: dir.path, args: ['--flush', flush] }).catch(
        async (error: unknown) => {
          await dir.remove();
          throw error;
        },
      );
      const producer = createProducer({
        group: 'bench-compare-producer',
        namesrv: broker.namesrvAddress,
        defaultTopicQueueNums: QUEUES,
      });
      const message = { topic: TOPIC, body };
      const system: ComparedSystem = {
        send: () => firstValueFrom(producer.send$(message)),
        consumeAll: async (count) => {
          await drainThroughConsume(broker.namesrvAddress, TOPIC, 'bench-compare-consumer', count);
        },
        close: async () => {
          await producer.shutdown();
          await broker.stop();
          await broker.dispose();
          await dir.remove();
        },
      };
      return system;
    },
  };
}
