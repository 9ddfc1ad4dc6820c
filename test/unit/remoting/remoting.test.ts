import { connect } from 'node:net';
import { firstValueFrom, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../src/protocol/frame.js';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import { SerializeType, createRequest, createResponse } from '../../../src/protocol/remoting-command.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import type { Connection } from '../../../src/remoting/connection.js';
import { type RemotingServer, createRemotingServer } from '../../../src/remoting/server.js';
import { parseHostAddress } from '../../../src/remoting/address.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { silentLogger } from '../../../src/logger.js';

const ECHO = 9001;
const FAIL = 9002;
const BIG = 9003;
let server: RemotingServer;
let client: RemotingClient;
const logger = recordingLogger();

async function start(highWaterBytes?: number): Promise<string> {
  server = createRemotingServer({ logger, ...(highWaterBytes === undefined ? {} : { highWaterBytes }) });
  server.registerProcessor(ECHO, (req) =>
    of(createResponse(req, 0, { extFields: req.extFields, body: req.body })),
  );
  server.registerProcessor(FAIL, () => {
    throw new Error('processor broke');
  });
  server.registerProcessor(BIG, (req) => of(createResponse(req, 0, { body: Buffer.alloc(256 * 1024) })));
  await server.listen();
  client = createRemotingClient({ logger: silentLogger });
  return server.address;
}

afterEach(async () => {
  await client.close();
  await server.close();
});

describe('remoting server and client', () => {
  it('round-trips in both serialisations, answering in kind', async () => {
    const address = await start();
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const req = createRequest(ECHO, { extFields: { k: 'v' }, body: Buffer.from('hi'), serializeType });
      const res = await firstValueFrom(client.invoke$(address, req, 3000));
      expect(res.code).toBe(0);
      expect(res.serializeType).toBe(serializeType);
      expect(res.extFields).toEqual({ k: 'v' });
      expect(Buffer.from(res.body!).toString()).toBe('hi');
    }
  });

  it('answers unknown codes with REQUEST_CODE_NOT_SUPPORTED and processor errors with SYSTEM_ERROR', async () => {
    const address = await start();
    const unknown = await firstValueFrom(client.invoke$(address, createRequest(777), 3000));
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(unknown.remark).toBe(' request type 777 not supported');
    const failed = await firstValueFrom(client.invoke$(address, createRequest(FAIL), 3000));
    expect(failed.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(failed.remark).toBe('processor broke');
  });

  it('never answers a oneway request', async () => {
    const address = await start();
    const { address: host, port } = parseHostAddress(address);
    const socket = connect({ host, port });
    const decoder = new FrameDecoder();
    const received: number[] = [];
    socket.on('data', (c: Buffer) => decoder.push(c).forEach((cmd) => received.push(cmd.opaque)));
    await new Promise((r) => socket.once('connect', r));
    socket.write(encodeFrame({ ...createRequest(ECHO, { oneway: true }), opaque: 1 }));
    socket.write(encodeFrame({ ...createRequest(777, { oneway: true }), opaque: 2 }));
    socket.write(encodeFrame({ ...createRequest(ECHO), opaque: 3 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([3]);
    socket.destroy();
  });

  it('a malformed or oversized frame closes only that connection, with one log line', async () => {
    const address = await start();
    const { address: host, port } = parseHostAddress(address);
    for (const garbage of [Buffer.from([0, 0, 0, 1, 0xff]), Buffer.from([0x7f, 0xff, 0xff, 0xff])]) {
      const before = logger.lines.filter((l) => l.message === 'closing connection: bad frame').length;
      const bad = connect({ host, port });
      await new Promise((r) => bad.once('connect', r));
      bad.write(garbage);
      await new Promise((r) => bad.once('close', r));
      const after = logger.lines.filter((l) => l.message === 'closing connection: bad frame');
      expect(after.length).toBe(before + 1);
      expect(JSON.stringify(after.at(-1)?.fields)).toMatch(/reason/);
    }
    const res = await firstValueFrom(client.invoke$(address, createRequest(ECHO), 3000));
    expect(res.code).toBe(0);
  });

  it('stops reading a peer that does not read, so pending writes stay bounded', async () => {
    const highWater = 1024 * 1024;
    const address = await start(highWater);
    const { address: host, port } = parseHostAddress(address);
    const socket = connect({ host, port });
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    const frame = encodeFrame(createRequest(BIG));
    for (let i = 0; i < 400; i++) socket.write(frame);
    await new Promise((r) => setTimeout(r, 500));
    const channel = [...server.channels][0] as Connection;
    // 400 requests would queue 100 MiB of responses; once over the mark, the server reads no more requests.
    expect(channel.pendingWriteBytes).toBeLessThan(highWater + 2 * 256 * 1024 + 64 * 1024);
    expect(channel.pendingWriteBytes).toBeGreaterThan(0);
    socket.destroy();
  });

  it('fails every pending call with a connection error when the server closes', async () => {
    const address = await start();
    server.registerProcessor(ECHO, () => new Promise(() => undefined));
    const calls = Array.from({ length: 50 }, () =>
      firstValueFrom(client.invoke$(address, createRequest(ECHO), 30_000)).catch((e: unknown) => e),
    );
    await new Promise((r) => setTimeout(r, 100));
    await server.close();
    const results = await Promise.all(calls);
    for (const r of results) expect((r as Error).name).toBe('RemotingConnectionError');
  });

  it('times out a call without a response', async () => {
    const address = await start();
    server.registerProcessor(ECHO, () => new Promise(() => undefined));
    await expect(firstValueFrom(client.invoke$(address, createRequest(ECHO), 100))).rejects.toMatchObject({
      name: 'RemotingTimeoutError',
    });
  });
});
