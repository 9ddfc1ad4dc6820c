import { type Server, type Socket, createServer } from 'node:net';
import {
  type Observable,
  type SchedulerLike,
  Subject,
  type Subscription,
  asyncScheduler,
  firstValueFrom,
  interval,
} from 'rxjs';
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
  /**
   * A connection with no bytes either way for this long is closed (RocketMQ's serverChannelMaxIdleTimeSeconds,
   * 120 s): a peer that vanished without a FIN otherwise holds its socket and registrations forever.
   * 0 or undefined: never.
   */
  readonly maxIdleMs?: number;
  readonly scheduler?: SchedulerLike;
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
  let idleScan: Subscription | undefined;
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxIdleMs = options.maxIdleMs ?? 0;
  /** Per connection: its socket's byte counters at the last scan that saw them move, and when that was. */
  const activity = new Map<Connection, { readonly socket: Socket; bytes: number; since: number }>();
  // Polling the counters costs nothing per frame, where stamping every read and write would.
  const closeIdle = (): void => {
    const now = scheduler.now();
    for (const [channel, seen] of activity) {
      const bytes = seen.socket.bytesRead + seen.socket.bytesWritten;
      if (bytes !== seen.bytes) {
        seen.bytes = bytes;
        seen.since = now;
        continue;
      }
      const idleMs = now - seen.since;
      if (idleMs < maxIdleMs) continue;
      options.logger.info({ peer: channel.remoteAddress, idleMs, maxIdleMs }, 'closing idle connection');
      channel.close();
    }
  };
  const server: Server = createServer((socket) => {
    const connection = new Connection(socket, {
      logger: options.logger,
      processors,
      scheduler,
      pauseReadsWhenCongested: true,
      ...(options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength }),
      ...(options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes }),
    });
    channels.add(connection);
    if (maxIdleMs > 0) activity.set(connection, { socket, bytes: 0, since: scheduler.now() });
    connection.closed$.subscribe(() => {
      channels.delete(connection);
      activity.delete(connection);
    });
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
          // A quarter of the limit between scans: a connection goes at most 25% past it.
          if (maxIdleMs > 0 && idleScan === undefined)
            idleScan = interval(Math.max(10, Math.floor(maxIdleMs / 4)), scheduler).subscribe(closeIdle);
          resolve({ host, port });
        });
      }),
    close: async () => {
      idleScan?.unsubscribe();
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
