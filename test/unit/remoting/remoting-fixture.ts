import { type Socket, connect } from 'node:net';
import { of } from 'rxjs';
import { encodeFrame } from '../../../src/protocol/frame.js';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import { type RemotingCommand, createResponse } from '../../../src/protocol/remoting-command.js';
import { parseHostAddress } from '../../../src/remoting/address.js';
import {
  type RemotingServer,
  type RemotingServerOptions,
  createRemotingServer,
} from '../../../src/remoting/server.js';

export const ECHO = 9001;
export const FAIL = 9002;
export const BIG = 9003;
export const SILENT = 9004;
export const BIG_BODY = 256 * 1024;

/** A listening server with ECHO, FAIL (throws), BIG (256 KiB body) and SILENT (emits undefined) processors. */
export async function echoServer(options: RemotingServerOptions): Promise<RemotingServer> {
  const server = createRemotingServer(options);
  server.registerProcessor(ECHO, (req) =>
    of(createResponse(req, 0, { extFields: req.extFields, body: req.body })),
  );
  server.registerProcessor(FAIL, () => {
    throw new Error('processor broke');
  });
  server.registerProcessor(BIG, (req) => of(createResponse(req, 0, { body: Buffer.alloc(BIG_BODY) })));
  server.registerProcessor(SILENT, () => of(undefined));
  await server.listen();
  return server;
}

/** A plain socket speaking frames by hand, for what a well-behaved client would never send. */
export interface RawPeer {
  readonly socket: Socket;
  readonly received: RemotingCommand[];
  send(command: RemotingCommand): void;
  closed: Promise<void>;
}

export async function rawPeer(address: string): Promise<RawPeer> {
  const { address: host, port } = parseHostAddress(address);
  const socket = connect({ host, port });
  const decoder = new FrameDecoder();
  const received: RemotingCommand[] = [];
  socket.on('data', (chunk: Buffer) => received.push(...decoder.push(chunk)));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received, send: (command) => socket.write(encodeFrame(command)), closed };
}

/** Polls a condition on the event loop; the test's own time limit bounds it. */
export async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
