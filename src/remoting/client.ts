import { connect } from 'node:net';
import {
  type Observable,
  Observable as Obs,
  ReplaySubject,
  Subscription,
  defer,
  firstValueFrom,
  map,
  switchMap,
  take,
  throwError,
  timer,
} from 'rxjs';
import { RemotingConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';
import { parseHostAddress } from './address.js';
import type { Channel, RequestProcessor } from './channel.js';
import { Connection } from './connection.js';

export interface RemotingClientOptions {
  readonly logger: Logger;
  /** Default 3000. */
  readonly connectTimeoutMs?: number;
  readonly maxFrameLength?: number;
  /** Unsent bytes per connection above which further requests wait for the socket to drain (4 MiB). */
  readonly highWaterBytes?: number;
}

export interface RemotingClient {
  /** Cold: sends on subscribe, emits the response (whatever its code) and completes. */
  invoke$(address: string, request: RemotingCommand, timeoutMs: number): Observable<RemotingCommand>;
  /** Completes once the oneway request is handed to the connection. */
  oneway$(address: string, request: RemotingCommand): Observable<void>;
  /** The pooled connection to `address`, opened on demand. */
  channel$(address: string): Observable<Channel>;
  /** For requests the server sends us (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...). */
  registerProcessor(code: number, processor: RequestProcessor): void;
  closeChannel(address: string): void;
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/**
 * The connection to `address` as an Observable: connects on subscribe, emits the Connection once open,
 * completes when it closes; unsubscribing closes it.
 */
export function connection$(
  address: string,
  options: RemotingClientOptions,
  processors: ReadonlyMap<number, RequestProcessor>,
): Observable<Connection> {
  return new Obs<Connection>((subscriber) => {
    let host;
    try {
      host = parseHostAddress(address);
    } catch (error) {
      subscriber.error(
        new RemotingConnectionError(address, 'not a host:port address', { retriable: false, cause: error }),
      );
      return undefined;
    }
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const socket = connect({ host: host.address, port: host.port });
    const timeout = timer(connectTimeoutMs).subscribe(() => {
      subscriber.error(
        new RemotingConnectionError(address, `connect timed out after ${connectTimeoutMs} ms`),
      );
    });
    const onError = (error: Error): void => {
      subscriber.error(
        new RemotingConnectionError(address, `connect failed: ${error.message}`, { cause: error }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      timeout.unsubscribe();
      socket.off('error', onError);
      const connection = new Connection(socket, {
        logger: options.logger,
        processors,
        ...(options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength }),
        ...(options.highWaterBytes === undefined ? {} : { highWaterBytes: options.highWaterBytes }),
      });
      subscriber.next(connection);
      connection.closed$.subscribe(() => {
        subscriber.complete();
      });
    });
    return () => {
      timeout.unsubscribe();
      socket.destroy();
    };
  });
}

interface PoolEntry {
  readonly ready: ReplaySubject<Connection>;
  readonly subscription: Subscription;
  connection?: Connection;
}

/** One connection per address, opened by the first call and shared by all calls until it drops. */
export function createRemotingClient(options: RemotingClientOptions): RemotingClient {
  const processors = new Map<number, RequestProcessor>();
  const pool = new Map<string, PoolEntry>();
  let closed = false;

  const pooled = (address: string): Observable<Connection> => {
    if (closed)
      return throwError(() => new RemotingConnectionError(address, 'client closed', { retriable: false }));
    const existing = pool.get(address);
    if (existing !== undefined) return existing.ready.pipe(take(1));
    const ready = new ReplaySubject<Connection>(1);
    const entry: PoolEntry = { ready, subscription: new Subscription() };
    // In the pool before connecting, so concurrent first callers wait for this socket instead of opening theirs.
    pool.set(address, entry);
    const evict = (): void => {
      if (pool.get(address) === entry) pool.delete(address);
    };
    const connecting = connection$(address, options, processors).subscribe({
      next: (connection) => {
        entry.connection = connection;
        ready.next(connection);
      },
      error: (error: unknown) => {
        evict();
        ready.error(error);
      },
      complete: () => {
        evict();
        ready.complete();
      },
    });
    entry.subscription.add(connecting);
    return ready.pipe(take(1));
  };

  const release = (entry: PoolEntry): Promise<void> => {
    entry.subscription.unsubscribe();
    return entry.connection === undefined ? Promise.resolve() : firstValueFrom(entry.connection.closed$);
  };

  return {
    channel$: (address) => defer(() => pooled(address)),
    invoke$: (address, request, timeoutMs) =>
      defer(() => pooled(address)).pipe(switchMap((connection) => connection.invoke$(request, timeoutMs))),
    oneway$: (address, request) =>
      defer(() => pooled(address)).pipe(
        map((connection) => {
          connection.oneway(request);
        }),
      ),
    registerProcessor: (code, processor) => {
      processors.set(code, processor);
    },
    closeChannel: (address) => {
      const entry = pool.get(address);
      if (entry === undefined) return;
      pool.delete(address);
      void release(entry);
    },
    close: async () => {
      closed = true;
      const entries = [...pool.values()];
      pool.clear();
      await Promise.all(entries.map(release));
    },
  };
}
