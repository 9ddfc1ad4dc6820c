import { virtualClock } from '../../helpers/virtual-clock.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import type { RemotingServer } from '../../../src/remoting/server.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { ECHO, type RawPeer, echoServer, rawPeer, waitUntil } from './remoting-fixture.js';

const MAX_IDLE_MS = 400;
let server: RemotingServer | undefined;
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await server?.close();
});

describe('remoting server idle connections', () => {
  it('closes a connection with no bytes either way for maxIdleMs, with a log line, and keeps a busy one', async () => {
    const clock = virtualClock();
    const logger = recordingLogger();
    server = await echoServer({ logger, maxIdleMs: MAX_IDLE_MS, scheduler: clock });
    const silent = await rawPeer(server.address);
    const busy = await rawPeer(server.address);
    peers.push(silent, busy);
    await waitUntil(() => server?.channels.size === 2);

    for (let i = 0; i < 8; i++) {
      busy.send(createRequest(ECHO, { extFields: { i: String(i) } }));
      await waitUntil(() => busy.received.length === i + 1);
      clock.advance(MAX_IDLE_MS / 4);
    }
    await silent.closed;
    expect(busy.socket.destroyed).toBe(false);
    expect(server.channels.size).toBe(1);
    const closings = logger.lines.filter((line) => line.message === 'closing idle connection');
    expect(closings).toHaveLength(1);
    expect(closings[0]!.fields).toMatchObject({ maxIdleMs: MAX_IDLE_MS });

    // Once it too goes quiet, it goes the same way.
    clock.advance(MAX_IDLE_MS * 2);
    await busy.closed;
    await waitUntil(() => server?.channels.size === 0);
  });

  it('never closes an idle connection without maxIdleMs', async () => {
    const clock = virtualClock();
    server = await echoServer({ logger: recordingLogger(), scheduler: clock });
    const peer = await rawPeer(server.address);
    peers.push(peer);
    await waitUntil(() => server?.channels.size === 1);
    clock.advance(3_600_000);
    peer.send(createRequest(ECHO));
    await waitUntil(() => peer.received.length === 1);
    expect(server.channels.size).toBe(1);
  });
});
