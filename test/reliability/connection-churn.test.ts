/**
 * Connection churn (issue #11): 1 000 connections opened and dropped, in four ways (closed at once, dropped in
 * the middle of a frame, closed with a FIN after a heartbeat registered a producer and a consumer, reset
 * with an RST after one), must leave the broker with no leaked handles: its open descriptors return to
 * their baseline, its connection gauge to what is really open, and its consumer table lists nobody.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { createTopic } from '../fixtures/broker/broker-fixture.js';
import { isAlive } from '../fixtures/fuzz/process-rss.js';
import {
  closed,
  connectRaw,
  consumerConnections,
  firstBytes,
  heartbeatFrame,
  openFds,
  pollUntil,
} from '../fixtures/peers/raw-socket.js';
import { bySize } from './mode.js';

const CONNECTIONS = bySize(1_000, 10_000);
const AT_ONCE = 50;
const TOPIC = 'Churn';
const GROUP = 'churn-cg';
/** Store files come and go on their own; a couple either way is not a leak of sockets. */
const FD_SLACK = 2;

type Ending = 'at-once' | 'mid-frame' | 'fin-after-heartbeat' | 'rst-after-heartbeat';
const ENDINGS: readonly Ending[] = ['at-once', 'mid-frame', 'fin-after-heartbeat', 'rst-after-heartbeat'];

async function registerHeartbeat(socket: Socket, index: number): Promise<void> {
  const answered = firstBytes(socket);
  socket.write(heartbeatFrame(`127.0.0.1@churn-${index}`, 'churn-pg', GROUP, TOPIC));
  await answered;
}

/** One connection, opened and dropped the way `ending` says; resolves once our side has closed. */
async function churnOne(
  address: string,
  index: number,
  ending: Ending,
  held: Promise<void> = Promise.resolve(),
): Promise<void> {
  const socket = await connectRaw(address);
  switch (ending) {
    case 'at-once':
      socket.destroy();
      break;
    case 'mid-frame': {
      const frame = heartbeatFrame(`127.0.0.1@churn-${index}`, 'churn-pg', GROUP, TOPIC);
      socket.write(frame.subarray(0, Math.floor(frame.length / 2)));
      socket.destroy();
      break;
    }
    case 'fin-after-heartbeat':
      await registerHeartbeat(socket, index);
      await held;
      socket.end();
      socket.resume();
      break;
    case 'rst-after-heartbeat':
      await registerHeartbeat(socket, index);
      await held;
      socket.resetAndDestroy();
      break;
  }
  await closed(socket);
}

async function connectionGauge(metricsAddress: string): Promise<number> {
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  const line = /^rocketmq_connections(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (line === null) throw new Error('no rocketmq_connections gauge in the metrics');
  return Number(line[1]);
}

describe(`${CONNECTIONS} connections opened and dropped`, () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await startBrokerProcess({ args: ['--metrics-port', '0'] });
    await createTopic(broker.brokerAddress, TOPIC, 2);
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  it(
    'leave no open descriptors, connections or consumer registrations behind',
    { timeout: bySize(60_000, 600_000) },
    async () => {
      const pid = broker.pid ?? 0;
      // One registration first, gone again, so the baseline holds whatever the first client makes the broker open.
      await churnOne(broker.brokerAddress, -1, 'fin-after-heartbeat');
      await pollUntil(
        () => consumerConnections(broker.brokerAddress, GROUP),
        (n) => n === 0,
        5_000,
      );
      const baselineFds = await openFds(pid);
      const baselineConnections = await connectionGauge(broker.metricsAddress);

      let peakFds = baselineFds;
      let peakRegistered = 0;
      let heldHeartbeats = 0;
      for (let from = 0; from < CONNECTIONS; from += AT_ONCE) {
        const to = Math.min(CONNECTIONS, from + AT_ONCE);
        // Every fifth wave keeps its registered clients until the broker lists them all: the table did fill.
        const holding = from % (AT_ONCE * 5) === 0;
        let release = (): void => undefined;
        const held = holding ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
        const wave: Promise<void>[] = [];
        let heartbeats = 0;
        for (let i = from; i < to; i++) {
          const ending = ENDINGS[i % ENDINGS.length]!;
          if (ending.endsWith('after-heartbeat')) heartbeats += 1;
          wave.push(churnOne(broker.brokerAddress, i, ending, held));
        }

        if (holding) {
          const listed = await pollUntil(
            () => consumerConnections(broker.brokerAddress, GROUP),
            (n) => n >= heartbeats,
            10_000,
          );
          peakRegistered = Math.max(peakRegistered, listed);
          heldHeartbeats = Math.max(heldHeartbeats, heartbeats);
          // The held connections are open for sure now: the broker holds a descriptor for each.
          peakFds = Math.max(peakFds, await openFds(pid));
          release();
        }
        await Promise.all(wave);
      }

      const fds = await pollUntil(
        () => openFds(pid),
        (n) => n <= baselineFds + FD_SLACK,
        10_000,
      );
      const registered = await pollUntil(
        () => consumerConnections(broker.brokerAddress, GROUP),
        (n) => n === 0,
        10_000,
      );
      const connections = await pollUntil(
        () => connectionGauge(broker.metricsAddress),
        (n) => n <= baselineConnections,
        10_000,
      );
      console.log(
        `churn: ${CONNECTIONS} connections; broker fds ${baselineFds} before, up to ${peakFds} during, ${fds} after; ` +
          `consumers listed while held ${peakRegistered}, after ${registered}; connections gauge ${connections}`,
      );
      expect(isAlive(pid)).toBe(true);
      expect(peakFds).toBeGreaterThan(baselineFds + 10);
      // At least the held ones (the previous wave's may not all have been dropped yet).
      expect(peakRegistered).toBeGreaterThanOrEqual(heldHeartbeats);
      expect(heldHeartbeats).toBeGreaterThan(0);
      expect(fds).toBeLessThanOrEqual(baselineFds + FD_SLACK);
      expect(registered).toBe(0);
      expect(connections).toBeLessThanOrEqual(baselineConnections);
    },
  );
});
