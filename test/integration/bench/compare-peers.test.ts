import { describe, expect, it } from 'vitest';
import { jetStream } from '../../../bench/compare/jetstream.js';
import { redisStreams } from '../../../bench/compare/redis-streams.js';
import { rxrocket } from '../../../bench/compare/rxrocket.js';
import { startServerProcess } from '../../../bench/compare/server-process.js';
import type { SystemLauncher } from '../../../bench/compare/system.js';
import { runWorkloads } from '../../../bench/compare/workloads.js';

const BODY = Buffer.alloc(1024, 0x74);
const COUNTS = { warmup: 10, serial: 50, inFlight: 600 };

/** Each system of `npm run bench -- compare` with a few hundred messages: the servers start, every send is acknowledged, every message is consumed. */
describe('compare bench systems', () => {
  const launchers: SystemLauncher[] = [rxrocket('ASYNC_FLUSH'), redisStreams('always'), jetStream('default')];
  for (const launcher of launchers) {
    it(`${launcher.system} (${launcher.durability}) runs every workload to the end`, async (context) => {
      const reason = await launcher.unavailable();
      if (reason !== undefined) {
        // In CI .ci/run installs both peers, so a missing one is a failure there, never a skip.
        if (process.env.CI === 'true')
          throw new Error(`CI must run the ${launcher.system} comparison: ${reason}`);
        process.stderr.write(`skipping ${launcher.system}: ${reason}\n`);
        context.skip();
      }
      const system = await launcher.start(BODY);
      try {
        const progress: string[] = [];
        const figures = await runWorkloads(system, COUNTS, (m) => progress.push(m));
        expect(progress).toEqual(['one in flight: 50', '256 in flight: 600', 'consuming with acks: 660']);
        for (const value of Object.values(figures)) expect(Number.isFinite(value) && value > 0).toBe(true);
        expect(figures.p50).toBeLessThanOrEqual(figures.p99);
        expect(figures.p99).toBeLessThanOrEqual(figures.p999);
      } finally {
        await system.close();
      }
    });
  }
});

describe('startServerProcess', () => {
  const node = process.execPath;

  it('resolves at the ready line and stop() ends the process', async () => {
    const server = await startServerProcess(
      node,
      ['-e', 'console.error("booting"); console.log("Server is ready"); setInterval(() => {}, 1000)'],
      /Server is ready/,
    );
    await server.stop();
  });

  it('rejects with the last output lines when the process exits before it is ready', async () => {
    await expect(
      startServerProcess(node, ['-e', 'console.error("bad config line 3"); process.exit(1)'], /ready/),
    ).rejects.toThrow(/exited with code 1 before it was ready\n.*bad config line 3/s);
  });

  it('rejects and kills a process that prints no ready line in time', async () => {
    await expect(
      startServerProcess(node, ['-e', 'setInterval(() => {}, 1000)'], /ready/, 300),
    ).rejects.toThrow(/not ready within 300 ms/);
  });
});
