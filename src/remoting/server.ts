import { type Server, createServer } from 'node:net';
import { type Observable, Subject, firstValueFrom } from 'rxjs';
import type { Logger } from '../logger.js';
import { formatAddress } from './address.js';
import type { Channel, RequestProcessor } from './channel.js';
import { Connection } from './connection.js';

export interface RemotingServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 = any free port. */
  readonly port?: number;
  readonly logger: Logger;
  readonly maxFrameLength?: number;
  /** Unsent bytes per connection above which we stop reading that peer until it drains (4 MiB). */
  readonly highWaterBytes?: number;
}

export interface RemotingServer {
  listen(): Promise<{ host: string; port: number }>;
  registerProcessor(code: number, processor: RequestProcessor): void;
  /** Every accepted connection, as it opens. */
  readonly channels$: Observable<Channel>;
  readonly channels: ReadonlySet<Channel>;
  /** "host:port" once listening. */
  readonly address: string;
  close(): Promise<void>;
}

/** A RocketMQ remoting server: one Connection per socket, requests routed to processors by code. */
export function createRemotingServer(options: RemotingServerOptions): RemotingServer {
  const processors = new Map<number, RequestProcessor>();
  const channels = new Set<Connection>();
  const accepted = new Subject<Channel>();
  const host = options.host ?? '127.0.0.1';
  let address = '';
  const server: Server = createServer((socket) => {
    const connection = new Connection(socket, {
      logger: options.logger,
      processors,
      pauseReadsWhenCongested: true,
      ...(options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength }),
      ...(options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes }),
    });
    channels.add(connection);
    connection.closed$.subscribe(() => channels.delete(connection));
    accepted.next(connection);
  });
  server.on('error', (error) => {
    options.logger.error({ error: error.message, address }, 'remoting server error');
  });

  return {
    registerProcessor: (code, processor) => {
      processors.set(code, processor);
    },
    channels$: accepted.asObservable(),
    channels,
    get address() {
      return address;
    },
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          const info = server.address();
          const port = typeof info === 'object' && info !== null ? info.port : 0;
          address = formatAddress({ address: host, port });
          resolve({ host, port });
        });
      }),
    close: async () => {
      accepted.complete();
      const open = [...channels];
      for (const channel of open) channel.close();
      const stopped = server.listening
        ? new Promise<void>((resolve) =>
            server.close(() => {
              resolve();
            }),
          )
        : Promise.resolve();
      await Promise.all([stopped, ...open.map((channel) => firstValueFrom(channel.closed$))]);
    },
  };
}
