import { firstValueFrom, Subject, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { SerializeType, createRequest, createResponse } from '../../../src/protocol/remoting-command.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import type { Channel } from '../../../src/remoting/channel.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import type { Connection } from '../../../src/remoting/connection.js';
import type { RemotingServer } from '../../../src/remoting/server.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { BIG, BIG_BODY, ECHO, FAIL, SILENT, echoServer, rawPeer, waitUntil } from './remoting-fixture.js';

let server: RemotingServer;
let client: RemotingClient;
const peers: { socket: { destroy(): void } }[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await client.close();
  await server.close();
  expect(server.channels.size).toBe(0);
});

async function start(options: { highWaterBytes?: number } = {}): Promise<ReturnType<typeof recordingLogger>> {
  const logger = recordingLogger();
  server = await echoServer({ logger, ...options });
  client = createRemotingClient({ logger: silentLogger });
  return logger;
}

describe('remoting server', () => {
  it('listens on a free loopback port and reports it as host:port', async () => {
    await start();
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.address.endsWith(':0')).toBe(false);
  });

  it('echoes in both serialisations, answering each in the one its request used', async () => {
    await start();
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const req = createRequest(ECHO, { extFields: { k: 'v' }, body: Buffer.from('hi'), serializeType });
      const res = await firstValueFrom(client.invoke$(server.address, req, 3000));
      expect(res.code).toBe(ResponseCode.SUCCESS);
      expect(res.serializeType).toBe(serializeType);
      expect(res.extFields).toEqual({ k: 'v' });
      expect(Buffer.from(res.body!).toString()).toBe('hi');
    }
  });

  it('answers an unknown code with REQUEST_CODE_NOT_SUPPORTED and logs it', async () => {
    const logger = await start();
    const res = await firstValueFrom(client.invoke$(server.address, createRequest(777), 3000));
    expect(res.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(res.remark).toBe(' request type 777 not supported');
    expect(logger.lines.filter((l) => l.message === 'request code not supported')).toHaveLength(1);
  });

  it('turns a processor error into SYSTEM_ERROR carrying its message, and logs it', async () => {
    const logger = await start();
    server.registerProcessor(FAIL + 100, () => Promise.reject(new Error('async broke')));
    const thrown = await firstValueFrom(client.invoke$(server.address, createRequest(FAIL), 3000));
    expect(thrown).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'processor broke' });
    const rejected = await firstValueFrom(client.invoke$(server.address, createRequest(FAIL + 100), 3000));
    expect(rejected).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'async broke' });
    expect(logger.lines.filter((l) => l.message === 'request failed')).toHaveLength(2);
  });

  it('never answers a oneway request, nor a processor that emits undefined', async () => {
    await start();
    const peer = await rawPeer(server.address);
    peers.push(peer);
    peer.send({ ...createRequest(ECHO, { oneway: true }), opaque: 1 });
    peer.send({ ...createRequest(777, { oneway: true }), opaque: 2 });
    peer.send({ ...createRequest(FAIL, { oneway: true }), opaque: 3 });
    peer.send({ ...createRequest(SILENT), opaque: 4 });
    peer.send({ ...createRequest(ECHO), opaque: 5 });
    await waitUntil(() => peer.received.length > 0);
    // The last request's answer arrives after anything the earlier (synchronous) processors would have sent.
    expect(peer.received.map((r) => r.opaque)).toEqual([5]);
  });

  it('processes requests of one connection concurrently, answering out of order', async () => {
    await start();
    const release = new Subject<void>();
    server.registerProcessor(ECHO + 100, (req) => {
      const done = new Subject<ReturnType<typeof createResponse>>();
      release.subscribe(() => {
        done.next(createResponse(req, 0, { remark: 'slow' }));
      });
      return done;
    });
    const order: string[] = [];
    const slow = firstValueFrom(client.invoke$(server.address, createRequest(ECHO + 100), 3000)).then((r) =>
      order.push(r.remark ?? ''),
    );
    await firstValueFrom(client.invoke$(server.address, createRequest(ECHO, { remark: 'fast' }), 3000));
    order.push('fast');
    release.next();
    await slow;
    expect(order).toEqual(['fast', 'slow']);
    expect(server.channels.size).toBe(1);
  });

  it('calls its peers on their channels and correlates their answers', async () => {
    await start();
    client.registerProcessor(40, (req) =>
      of(createResponse(req, 0, { remark: `client got ${req.extFields?.n}` })),
    );
    const channels: Channel[] = [];
    server.channels$.subscribe((c) => channels.push(c));
    await firstValueFrom(client.invoke$(server.address, createRequest(ECHO), 3000));
    const channel = channels[0]!;
    expect([...server.channels]).toEqual([channel]);
    const answers = await Promise.all(
      [1, 2, 3].map((n) =>
        firstValueFrom(channel.invoke$(createRequest(40, { extFields: { n: String(n) } }), 3000)),
      ),
    );
    expect(answers.map((a) => a.remark)).toEqual(['client got 1', 'client got 2', 'client got 3']);
    const unknown = await firstValueFrom(channel.invoke$(createRequest(41), 3000));
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });

  it.each([
    ['garbage', Buffer.from([0, 0, 0, 9, 0, 0, 0, 0xff, 1, 2, 3, 4, 5])],
    ['a length prefix over the maximum', Buffer.from([0x7f, 0xff, 0xff, 0xff])],
    ['a frame length too short for a header', Buffer.from([0, 0, 0, 1, 0xff])],
  ])('closes only the connection that sent %s, with one warning naming reason and peer', async (_, bytes) => {
    const logger = await start();
    await firstValueFrom(client.invoke$(server.address, createRequest(ECHO), 3000));
    const good = [...server.channels][0]!;
    const bad = await rawPeer(server.address);
    peers.push(bad);
    const peerAddress = `127.0.0.1:${bad.socket.localPort}`;
    const before = logger.lines.length;
    bad.socket.write(bytes);
    await bad.closed;
    await waitUntil(() => server.channels.size === 1);
    const warnings = logger.lines.slice(before).filter((l) => l.level === 'warn' || l.level === 'error');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('closing connection: bad frame');
    expect(warnings[0]!.fields).toMatchObject({ peer: peerAddress, reason: expect.any(String) as unknown });
    const res = await firstValueFrom(
      client.invoke$(server.address, createRequest(ECHO, { extFields: { k: 'still' } }), 3000),
    );
    expect(res.extFields).toEqual({ k: 'still' });
    expect([...server.channels]).toEqual([good]);
  });

  it('stops reading a peer that does not read its responses, then resumes when it does', async () => {
    const highWater = 1024 * 1024;
    await start({ highWaterBytes: highWater });
    const peer = await rawPeer(server.address);
    peers.push(peer);
    peer.socket.pause();
    const count = 400; // 100 MiB of responses if the server kept answering
    for (let i = 0; i < count; i++) peer.send({ ...createRequest(BIG), opaque: i + 1 });
    await waitUntil(() => server.channels.size === 1);
    const channel = [...server.channels][0] as Connection;
    await waitUntil(() => channel.isReadPaused);
    // Once over the mark no further request is dispatched, so at most one more response is queued.
    const bound = highWater + BIG_BODY + 1024;
    expect(channel.pendingWriteBytes).toBeGreaterThan(0);
    expect(channel.pendingWriteBytes).toBeLessThanOrEqual(bound);
    let maxPending = channel.pendingWriteBytes;
    const watch = setInterval(() => {
      maxPending = Math.max(maxPending, channel.pendingWriteBytes);
    }, 1);
    peer.socket.resume();
    await waitUntil(() => peer.received.length === count);
    clearInterval(watch);
    expect(maxPending).toBeLessThanOrEqual(bound);
    expect(peer.received.map((r) => r.opaque)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(channel.isReadPaused).toBe(false);
  });

  it('close() drops every connection, fails their callers, and releases the port', async () => {
    await start();
    server.registerProcessor(ECHO, () => new Promise(() => undefined));
    const calls = Array.from({ length: 50 }, () =>
      firstValueFrom(client.invoke$(server.address, createRequest(ECHO), 30_000)).catch((e: unknown) => e),
    );
    await waitUntil(() => server.channels.size === 1);
    await server.close();
    for (const r of await Promise.all(calls)) expect((r as Error).name).toBe('RemotingConnectionError');
    expect(server.channels.size).toBe(0);
  });
});
