import { type Socket, connect } from 'node:net';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import type { RemotingCommand } from '../../../src/protocol/remoting-command.js';

/**
 * A bare TCP connection that writes hand-made frames and reads raw replies: it lets a test send exactly the
 * bytes a Java broker sends, see the exact reply bytes, and close the connection like a crashed broker.
 */
export class RawConnection {
  private readonly decoder = new FrameDecoder();
  private readonly replies: RemotingCommand[] = [];
  private waiting: ((cmd: RemotingCommand) => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const cmd of this.decoder.push(chunk)) {
        const waiter = this.waiting;
        this.waiting = undefined;
        if (waiter) waiter(cmd);
        else this.replies.push(cmd);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(address: string): Promise<RawConnection> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host!, port: Number(port) }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** A JSON-serialised frame from header text and body, as Java's RemotingCommand.encode() lays it out. */
  static jsonFrame(headerJson: string, body: Buffer = Buffer.alloc(0)): Buffer {
    const header = Buffer.from(headerJson, 'utf8');
    const prefix = Buffer.alloc(8);
    prefix.writeInt32BE(4 + header.length + body.length, 0);
    prefix.writeInt32BE(header.length, 4);
    return Buffer.concat([prefix, header, body]);
  }

  request(frame: Buffer): Promise<RemotingCommand> {
    const queued = this.replies.shift();
    this.socket.write(frame);
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
  }
}
