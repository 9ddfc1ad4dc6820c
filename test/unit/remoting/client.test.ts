import { type Server, type Socket, createServer } from 'node:net';
import { type Subscription, firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameTooLargeError, RemotingConnectionError, RemotingTimeoutError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import {
  type RemotingCommand,
  createRequest,
  createResponse,
  isOneway,
} from '../../../src/protocol/remoting-command.js';
import type { Channel } from '../../../src/remoting/channel.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import { Connection } from '../../../src/remoting/connection.js';
import type { RemotingServer } from '../../../src/remoting/server.js';
import { ECHO, echoServer, waitUntil } from './remoting-fixture.js';

const HOLD = 9100;
const SEEN = 9101;
let server: RemotingServer | undefined;
let client: RemotingClient;
let raw: { server: Server; sockets: Socket[] } | undefined;

afterEach(async () => {
  await client.close();
  await server?.close();
  server = undefined;
  if (raw !== undefined) {
    for (const socket of raw.sockets) socket.destroy();
    await new Promise((resolve) => raw!.server.close(resolve));
    raw = undefined;
  }
});

/** The pooled channel to an address, which the TCP client always builds as a Connection. */
async function connectionTo(address: string): Promise<Connection> {
  const channel = await firstValueFrom(client.channel$(address));
  if (!(channel instanceof Connection)) throw new TypeError('the pooled channel is not a Connection');
  return channel;
}

async function start(): Promise<{ server: RemotingServer; seen: RemotingCommand[]; accepted: Channel[] }> {
  const s = await echoServer({ logger: silentLogger });
  server = s;
  const seen: RemotingCommand[] = [];
  const accepted: Channel[] = [];
  s.channels$.subscribe((c) => accepted.push(c));
  s.registerProcessor(HOLD, () => new Promise(() => undefined));
  s.registerProcessor(SEEN, (req) => {
    seen.push(req);
    return of(createResponse(req, 0));
  });
  client = createRemotingClient({ logger: silentLogger });
  return { server: s, seen, accepted };
}

/** A TCP server that accepts and then does whatever `onSocket` says (typically: nothing at all). */
async function rawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets: Socket[] = [];
  const s = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  raw = { server: s, sockets };
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const info = s.address();
  return `127.0.0.1:${typeof info === 'object' && info !== null ? info.port : 0}`;
}

const settle = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => v,
    (e: unknown) => e,
  );

describe('remoting client', () => {
  it('is cold: nothing is sent until subscribed, and each subscription sends once', async () => {
    const { server: s, seen } = await start();
    const call = client.invoke$(s.address, createRequest(SEEN), 3000);
    await firstValueFrom(client.invoke$(s.address, createRequest(ECHO), 3000));
    expect(seen).toHaveLength(0);
    await firstValueFrom(call);
    await firstValueFrom(call);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.opaque).not.toBe(seen[1]!.opaque);
  });

  it('opens one connection for concurrent first calls and shares it', async () => {
    const { server: s, accepted } = await start();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        firstValueFrom(client.invoke$(s.address, createRequest(ECHO, { extFields: { i: String(i) } }), 3000)),
      ),
    );
    expect(responses.map((r) => r.extFields?.i)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(accepted).toHaveLength(1);
    expect(await firstValueFrom(client.channel$(s.address))).toBe(
      await firstValueFrom(client.channel$(s.address)),
    );
  });

  it('fails in-flight calls at once when the connection drops, and reconnects on the next call', async () => {
    const { server: s, accepted } = await start();
    const calls = Array.from({ length: 20 }, () =>
      settle(firstValueFrom(client.invoke$(s.address, createRequest(HOLD), 30_000))),
    );
    const connection = await connectionTo(s.address);
    await waitUntil(() => connection.pendingCalls === 20 && accepted.length === 1);
    accepted[0]!.close();
    for (const r of await Promise.all(calls)) expect(r).toBeInstanceOf(RemotingConnectionError);
    expect(connection.isClosed).toBe(true);
    const res = await firstValueFrom(client.invoke$(s.address, createRequest(ECHO), 3000));
    expect(res.code).toBe(0);
    expect(accepted).toHaveLength(2);
  });

  it('fails a call to an address nobody listens on, or that is not an address, with a connection error', async () => {
    const address = await rawServer(() => undefined);
    await new Promise((resolve) => raw!.server.close(resolve));
    raw = undefined;
    client = createRemotingClient({ logger: silentLogger });
    const refused = await settle(firstValueFrom(client.invoke$(address, createRequest(ECHO), 3000)));
    expect(refused).toBeInstanceOf(RemotingConnectionError);
    expect((refused as RemotingConnectionError).retriable).toBe(true);
    const again = await settle(firstValueFrom(client.invoke$(address, createRequest(ECHO), 3000)));
    expect(again).toBeInstanceOf(RemotingConnectionError);
    const bad = await settle(firstValueFrom(client.invoke$('no-port', createRequest(ECHO), 3000)));
    expect(bad).toBeInstanceOf(RemotingConnectionError);
    expect((bad as RemotingConnectionError).retriable).toBe(false);
  });

  it('times out a call without an answer, and forgets calls whose caller unsubscribed', async () => {
    const { server: s } = await start();
    const timedOut = await settle(firstValueFrom(client.invoke$(s.address, createRequest(HOLD), 50)));
    expect(timedOut).toBeInstanceOf(RemotingTimeoutError);
    const connection = await connectionTo(s.address);
    expect(connection.pendingCalls).toBe(0);
    const subscription = client.invoke$(s.address, createRequest(HOLD), 30_000).subscribe();
    expect(connection.pendingCalls).toBe(1);
    subscription.unsubscribe();
    expect(connection.pendingCalls).toBe(0);
  });

  it('sends oneway requests with the oneway flag, and gets no answer to them', async () => {
    const { server: s, seen } = await start();
    const connection = await connectionTo(s.address);
    const frames: RemotingCommand[] = [];
    connection.frames$.subscribe((f) => frames.push(f));
    await lastValueFrom(client.oneway$(s.address, createRequest(SEEN)));
    const echo = await firstValueFrom(client.invoke$(s.address, createRequest(ECHO), 3000));
    expect(seen).toHaveLength(1);
    expect(isOneway(seen[0]!)).toBe(true);
    expect(frames).toEqual([echo]);
  });

  it('holds requests back while the peer does not read, so its own unsent bytes stay bounded', async () => {
    const address = await rawServer((socket) => socket.pause());
    const highWater = 256 * 1024;
    client = createRemotingClient({ logger: silentLogger, highWaterBytes: highWater });
    const body = Buffer.alloc(128 * 1024);
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < 400; i++) {
      subscriptions.push(
        client.invoke$(address, createRequest(ECHO, { body }), 30_000).subscribe({ error: () => undefined }),
      );
    }
    const connection = await connectionTo(address);
    await waitUntil(() => connection.queuedWrites > 0);
    expect(connection.pendingWriteBytes).toBeLessThanOrEqual(highWater + body.length + 1024);
    expect(connection.pendingCalls).toBe(400);
    let writable = false;
    connection.writable$.subscribe(() => (writable = true)).unsubscribe();
    expect(writable).toBe(false);
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(connection.queuedWrites).toBe(0);
    expect(connection.pendingCalls).toBe(0);
  });

  it('closes the connection on a bad frame from the server: frames$ errors, calls fail', async () => {
    let peer: Socket | undefined;
    const address = await rawServer((socket) => {
      peer = socket;
    });
    client = createRemotingClient({ logger: silentLogger, maxFrameLength: 1024 });
    const connection = await connectionTo(address);
    const frameError = settle(lastValueFrom(connection.frames$.pipe(toArray())));
    const call = settle(firstValueFrom(client.invoke$(address, createRequest(ECHO), 30_000)));
    await waitUntil(() => peer !== undefined);
    peer!.write(Buffer.from([0, 0, 8, 0]));
    expect(await frameError).toBeInstanceOf(FrameTooLargeError);
    expect(await call).toBeInstanceOf(RemotingConnectionError);
    expect(connection.isClosed).toBe(true);
  });

  it('close() fails pending calls and refuses new ones', async () => {
    const { server: s } = await start();
    const pending = settle(firstValueFrom(client.invoke$(s.address, createRequest(HOLD), 30_000)));
    const connection = await connectionTo(s.address);
    await waitUntil(() => connection.pendingCalls === 1);
    await client.close();
    expect(await pending).toBeInstanceOf(RemotingConnectionError);
    const refused = await settle(firstValueFrom(client.invoke$(s.address, createRequest(ECHO), 3000)));
    expect(refused).toBeInstanceOf(RemotingConnectionError);
    await waitUntil(() => s.channels.size === 0);
  });
});
