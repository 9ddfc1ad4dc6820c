import { type Server, type Socket, createServer } from 'node:net';
import {
  EMPTY,
  type Observable,
  Subject,
  catchError,
  defer,
  finalize,
  ignoreElements,
  interval,
  merge,
  mergeMap,
  tap,
} from 'rxjs';
import { type MasterConnectionDeps, masterConnection$ } from './master-connection.js';

export interface HaServer {
  /** The bound port (the real one when asked for port 0). */
  readonly port: number;
  /** Serves slaves and sweeps the group transfer's late waiters while subscribed. */
  readonly loop$: Observable<never>;
  close(): Promise<void>;
}

/**
 * The master's HA port (RocketMQ's HAService.AcceptSocketService): each slave that connects gets its own
 * connection pipeline while `loop$` is subscribed; a connection arriving when it is not is closed.
 */
export function listenHa(host: string, port: number, deps: MasterConnectionDeps): Promise<HaServer> {
  const sockets = new Subject<Socket>();
  let serving = false;
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    if (serving) sockets.next(socket);
    else socket.destroy();
  });
  const sweepMs = Math.max(10, Math.min(1000, Math.floor(deps.transfer.options.timeoutMs / 10)));
  const loop$ = defer(() => {
    serving = true;
    return merge(
      sockets.pipe(
        mergeMap((socket) =>
          masterConnection$(socket, deps).pipe(
            catchError((error: unknown) => {
              const slave = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
              deps.logger.warn({ slave, error: String(error) }, 'HA connection failed');
              return EMPTY;
            }),
          ),
        ),
      ),
      interval(sweepMs, deps.scheduler).pipe(
        tap(() => {
          deps.transfer.expire(deps.scheduler.now());
        }),
      ),
    );
  }).pipe(
    ignoreElements(),
    finalize(() => {
      serving = false;
    }),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const info = server.address();
      resolve({
        port: typeof info === 'object' && info !== null ? info.port : port,
        loop$,
        close: () =>
          new Promise<void>((done) => {
            deps.transfer.failAll();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}
