import { connect } from 'node:net';
import { type Observable, Observable as Obs, defer, shareReplay, switchMap, take, map } from 'rxjs';
import { RemotingConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';
import { parseHostAddress } from './address.js';
import type { Channel, RequestProcessor } from './channel.js';
import { Connection } from './connection.js';

export interface RemotingClientOptions {
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
  readonly maxFrameLength?: number;
}

export interface RemotingClient {
  /** Cold: sends on subscribe, emits the response (whatever its code) and completes. */
  invoke$(address: string, request: RemotingCommand, timeoutMs: number): Observable<RemotingCommand>;
  /** Completes once the oneway request is handed to the socket. */
  oneway$(address: string, request: RemotingCommand): Observable<void>;
  channel$(address: string): Observable<Channel>;
  /** For requests the server sends us (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...). */
  registerProcessor(code: number, processor: RequestProcessor): void;
  closeChannel(address: string): void;
  close(): Promise<void>;
}

/**
 * Connects a socket on subscribe and emits the Connection once it is open; unsubscribing closes it. This is
 * the connection as an Observable: the pool below keeps one subscription per address.
 */
export function connection$(
  address: string,
  options: RemotingClientOptions,
  processors: ReadonlyMap<number, RequestProcessor>,
): Observable<Connection> {
  return new Obs<Connection>((subscriber) => {
    const { address: host, port } = parseHostAddress(address);
    const socket = connect({ host, port });
    const timeout = setTimeout(() => {
      socket.destroy();
      subscriber.error(
        new RemotingConnectionError(
          address,
          `connect timed out after ${options.connectTimeoutMs ?? 3000} ms`,
        ),
      );
    }, options.connectTimeoutMs ?? 3000);
    const onError = (error: Error): void => {
      clearTimeout(timeout);
      subscriber.error(
        new RemotingConnectionError(address, `connect failed: ${error.message}`, { cause: error }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timeout);
      socket.off('error', onError);
      const conn = new Connection(socket, {
        logger: options.logger,
        processors,
        ...(options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength }),
      });
      subscriber.next(conn);
    });
    return () => {
      clearTimeout(timeout);
      socket.destroy();
    };
  });
}

export function createRemotingClient(options: RemotingClientOptions): RemotingClient {
  const processors = new Map<number, RequestProcessor>();
  const pool = new Map<string, { connection$: Observable<Connection>; release: () => void }>();

  const pooled = (address: string): Observable<Connection> => {
    let entry = pool.get(address);
    if (entry === undefined) {
      // One shared subscription per address: concurrent first callers wait for the same socket.
      const shared = connection$(address, options, processors).pipe(
        shareReplay({ bufferSize: 1, refCount: false }),
      );
      const evict = (): void => {
        if (pool.get(address)?.connection$ === shared) pool.delete(address);
      };
      const holder = shared.pipe(switchMap((conn) => conn.closed$)).subscribe({ next: evict, error: evict });
      entry = {
        connection$: shared,
        release: () => {
          holder.unsubscribe();
        },
      };
      pool.set(address, entry);
    }
    return entry.connection$.pipe(take(1));
  };

  return {
    channel$: (address) => defer(() => pooled(address)),
    invoke$: (address, request, timeoutMs) =>
      defer(() => pooled(address)).pipe(switchMap((conn) => conn.invoke$(request, timeoutMs))),
    oneway$: (address, request) =>
      defer(() => pooled(address)).pipe(
        map((conn) => {
          conn.oneway(request);
        }),
      ),
    registerProcessor: (code, processor) => {
      processors.set(code, processor);
    },
    closeChannel: (address) => {
      pool.get(address)?.release();
      pool.delete(address);
    },
    close: async () => {
      for (const entry of pool.values()) entry.release();
      pool.clear();
      await new Promise((r) => setImmediate(r));
    },
  };
}
