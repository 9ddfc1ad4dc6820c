import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { connectRedis, redisUrl } from '../helpers/redis-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs examples/<name>.ts as a user would (node with tsx), against the broker; resolves its stdout lines. */
function runExample(name: string, env: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${name}.ts`],
      { cwd: root, env: { ...process.env, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`examples/${name}.ts failed: ${error.message}\n${stderr}`));
        else resolve(stdout.trim().split('\n'));
      },
    );
  });
}

let broker: BrokerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  broker = await startBrokerProcess();
  env = { NAMESRV: broker.namesrvAddress };
});

afterAll(async () => {
  await broker.dispose();
});

describe('examples against a broker process', () => {
  it('send-sync: three results, each SEND_OK', async () => {
    const lines = await runExample('send-sync', env);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^sent [0-9A-F]{32} to queue \d: SEND_OK$/);
  });

  it('send-async: every send answered', async () => {
    expect(await runExample('send-async', env)).toEqual(['10 of 10 sent']);
  });

  it('send-oneway', async () => {
    expect(await runExample('send-oneway', env)).toEqual(['3 sent one-way']);
  });

  it('send-ordered: each order on one queue', async () => {
    const lines = await runExample('send-ordered', env);
    expect(lines.map((l) => l.replace(/queue \d+$/, 'queue N'))).toEqual([
      'order-1: 3 steps on queue N',
      'order-2: 3 steps on queue N',
      'order-3: 3 steps on queue N',
    ]);
  });

  it('send-batch: five ids in one result', async () => {
    expect(await runExample('send-batch', env)).toEqual([
      expect.stringMatching(/^batch of 5 sent to queue \d: SEND_OK$/),
    ]);
  });

  it('idempotent-consumer-redis: the order sent twice is handled once', async (context) => {
    const connection = await connectRedis();
    if ('reason' in connection) {
      console.warn(`skipping the Redis example: ${connection.reason}`);
      context.skip();
      return;
    }
    connection.redis.disconnect();
    const lines = await runExample('idempotent-consumer-redis', { ...env, REDIS_URL: redisUrl() });
    expect(lines).toEqual(['handled order-1', 'handled order-2']);
  });
});
