/**
 * The broker's socket fed random and mutated frames (issue #11): raw bytes, well-formed frames with any code
 * and odd header values, and real requests with flipped, inserted and deleted bytes and lying length
 * prefixes, over several connections at once. Meanwhile a well-behaved producer keeps sending and reading
 * back. The broker must never exit, the good client must keep getting correct answers, and the broker's
 * resident memory must stay within a bound.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { createTopic } from '../fixtures/broker/broker-fixture.js';
import { FUZZ_TOPIC, hostileFrame } from '../fixtures/fuzz/frame-arbitraries.js';
import { isAlive, residentBytes } from '../fixtures/fuzz/process-rss.js';
import { sendRaw } from '../fixtures/fuzz/raw-peer.js';
import { type SteadyClient, startSteadyClient } from '../fixtures/fuzz/steady-client.js';
import { bySize, longMode } from './mode.js';

const TOTAL_FRAMES = bySize(3_000, 100_000);
const CONNECTIONS_PER_RUN = 4;
const FRAMES_PER_CONNECTION = 10;
const RUNS = Math.ceil(TOTAL_FRAMES / (CONNECTIONS_PER_RUN * FRAMES_PER_CONNECTION));
const LINGER_MS = 5_000;
const RSS_HEADROOM_BYTES = 200 * 1024 * 1024;
const GOOD_TOPIC = 'FuzzSteady';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff);

let broker: BrokerProcess;
let steady: SteadyClient;
let pid: number;
/** How often the broker logged each message: shows which layers the hostile frames reached. */
const logged = new Map<string, number>();

beforeAll(async () => {
  broker = await startBrokerProcess();
  broker.stderr$.subscribe((line) => {
    const message = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line;
    logged.set(message, (logged.get(message) ?? 0) + 1);
  });
  pid = broker.pid ?? 0;
  await createTopic(broker.brokerAddress, GOOD_TOPIC, 4);
  await createTopic(broker.brokerAddress, FUZZ_TOPIC, 4);
});

afterAll(async () => {
  await steady?.stop();
  await broker?.dispose();
});

describe(`a broker fed ${TOTAL_FRAMES} hostile frames (seed ${SEED}${longMode ? ', long mode' : ''})`, () => {
  it(
    'stays up, keeps answering a well-behaved client and keeps its memory bounded',
    { timeout: bySize(90_000, 3_600_000) },
    async () => {
      // Warm up first, so that the baseline includes what a working broker holds anyway.
      steady = startSteadyClient(broker.namesrvAddress, broker.brokerAddress, GOOD_TOPIC, 20);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const baseline = (await residentBytes(pid)) ?? 0;
      expect(baseline).toBeGreaterThan(0);
      let peak = baseline;
      let sent = 0;
      let lingered = 0;

      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.array(hostileFrame, { minLength: FRAMES_PER_CONNECTION, maxLength: FRAMES_PER_CONNECTION }),
            {
              minLength: CONNECTIONS_PER_RUN,
              maxLength: CONNECTIONS_PER_RUN,
            },
          ),
          async (connections) => {
            const ends = await Promise.all(
              connections.map((frames) => sendRaw(broker.brokerAddress, frames, LINGER_MS)),
            );
            sent += connections.length * FRAMES_PER_CONNECTION;
            lingered += ends.filter((end) => end === 'lingered').length;
            const rss = await residentBytes(pid);
            peak = Math.max(peak, rss ?? 0);
            return isAlive(pid) && rss !== undefined && rss < baseline + RSS_HEADROOM_BYTES;
          },
        ),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );

      expect(sent).toBeGreaterThanOrEqual(TOTAL_FRAMES);
      // The frames got everywhere: past the frame decoder to the request table and into the processors.
      for (const layer of ['closing connection: bad frame', 'request code not supported', 'request refused'])
        expect(logged.get(layer) ?? 0, layer).toBeGreaterThan(0);
      expect(isAlive(pid)).toBe(true);
      expect(lingered).toBe(0);
      expect(peak).toBeLessThan(baseline + RSS_HEADROOM_BYTES);
      // The good client worked throughout, and everything it was told is stored still reads back as sent.
      const during = steady.acknowledged.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(steady.acknowledged.length).toBeGreaterThan(during);
      expect(steady.failures).toEqual([]);
      expect(during).toBeGreaterThan(10);
      expect(await steady.verifyAll()).toEqual([]);
    },
  );

  it('drops a connection declaring more than 16 MiB at once, and allocates nothing for declared lengths', async () => {
    const before = (await residentBytes(pid)) ?? 0;
    const declaring = (length: number): Promise<{ closedByBroker: boolean }> =>
      new Promise((resolve) => {
        const colon = broker.brokerAddress.lastIndexOf(':');
        const socket = connect({
          host: broker.brokerAddress.slice(0, colon),
          port: Number(broker.brokerAddress.slice(colon + 1)),
        });
        const prefix = Buffer.alloc(8);
        prefix.writeUInt32BE(length >>> 0, 0);
        prefix.writeUInt32BE(0x10, 4);
        socket.on('error', () => undefined);
        socket.once('connect', () => socket.write(prefix));
        // Still open after a while: the broker waits for the rest of a frame it may take.
        const waiting = setTimeout(() => {
          socket.destroy();
          resolve({ closedByBroker: false });
        }, 1_000);
        socket.once('close', () => {
          clearTimeout(waiting);
          resolve({ closedByBroker: true });
        });
      });
    const over = await Promise.all([16 * 1024 * 1024 - 3, 0x7fffffff, 0xffffffff].map(declaring));
    expect(over.map((end) => end.closedByBroker)).toEqual([true, true, true]);
    // Fifty connections each promising a frame just under the limit (800 MiB if it were allocated up front).
    const under = await Promise.all(Array.from({ length: 50 }, () => declaring(16 * 1024 * 1024 - 8)));
    expect(under.every((end) => !end.closedByBroker)).toBe(true);
    expect(isAlive(pid)).toBe(true);
    expect(((await residentBytes(pid)) ?? Infinity) - before).toBeLessThan(100 * 1024 * 1024);
  });
});
