import { connect } from 'node:net';
import { Observable, type SchedulerLike, Subject, Subscription, concatMap, defer, throwError } from 'rxjs';
import type { Logger } from '../../logger.js';
import { parseHostAddress } from '../../remoting/address.js';
import type { MessageStore } from '../store/message-store.js';
import { type Transfer, TransferDecoder, encodeReport } from './ha-codec.js';
import { HaConnectionClosedError, HaMasterUnknownError, HaProtocolError } from './ha-errors.js';
import { idleTicks$, reconnecting } from './reconnect.js';

export interface HaClientDeps {
  readonly store: Pick<MessageStore, 'appendReplicated' | 'wrotePhysicalOffset' | 'maxPhysicalOffset'>;
  /** The master's HA "host:port" now: configured, or learnt from a name server; undefined = not known yet. */
  readonly masterAddress: () => string | undefined;
  /** haSendHeartbeatInterval: the slave reports at least this often. */
  readonly heartbeatMs: number;
  /** The largest transfer body accepted (the master sends at most haTransferBatchSize). */
  readonly maxTransferBytes: number;
  /** Reconnect waits: from `initialMs`, doubling, up to `maxMs`. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

export type HaClientEvent =
  | { readonly kind: 'connected'; readonly master: string }
  | { readonly kind: 'replicated'; readonly offset: number };

/** Transfers queued for appending above which the slave stops reading the socket (TCP then slows the master). */
const PAUSE_ABOVE = 64;

/**
 * One replication connection (RocketMQ's HAClient): reports the slave's max offset on connect, after each
 * batch it appends and every heartbeat interval; appends what the master sends verbatim, one transfer at a
 * time, refusing any that does not start where the slave's log ends. Errors when the connection breaks.
 */
export function slaveConnection$(address: string, deps: HaClientDeps): Observable<HaClientEvent> {
  return new Observable<HaClientEvent>((subscriber) => {
    const { address: host, port } = parseHostAddress(address);
    const logger = deps.logger.child({ master: address });
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const decoder = new TransferDecoder(deps.maxTransferBytes);
    const reports = new Subject<void>();
    const incoming = new Subject<Transfer>();
    const subscriptions = new Subscription();
    let queued = 0;

    const report = (): void => {
      if (socket.destroyed) return;
      socket.write(encodeReport(deps.store.maxPhysicalOffset));
      reports.next();
    };
    const apply = async (transfer: Transfer): Promise<number | undefined> => {
      queued -= 1;
      if (socket.isPaused() && queued < PAUSE_ABOVE / 4) socket.resume();
      const wrote = deps.store.wrotePhysicalOffset;
      if (wrote !== 0 && transfer.offset !== wrote) {
        throw new HaProtocolError(
          `the master sent bytes at ${transfer.offset}, the slave's log ends at ${wrote}`,
        );
      }
      if (transfer.body.length === 0) return undefined;
      const committed = await deps.store.appendReplicated(transfer.offset, transfer.body);
      report();
      return committed;
    };

    subscriptions.add(
      incoming.pipe(concatMap((transfer) => defer(() => apply(transfer)))).subscribe({
        next: (offset) => {
          if (offset !== undefined) subscriber.next({ kind: 'replicated', offset });
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
      }),
    );
    socket.on('connect', () => {
      logger.info({ maxOffset: deps.store.maxPhysicalOffset }, 'connected to the master');
      subscriber.next({ kind: 'connected', master: address });
      report();
      subscriptions.add(idleTicks$(reports, deps.heartbeatMs, deps.scheduler).subscribe(report));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const transfer of decoder.push(chunk)) {
          queued += 1;
          incoming.next(transfer);
        }
        if (queued > PAUSE_ABOVE) socket.pause();
      } catch (error) {
        subscriber.error(error);
      }
    });
    socket.on('error', (error) => {
      subscriber.error(error);
    });
    socket.on('close', () => {
      subscriber.error(new HaConnectionClosedError(address));
    });
    return () => {
      subscriptions.unsubscribe();
      socket.destroy();
      logger.info({ maxOffset: deps.store.maxPhysicalOffset }, 'disconnected from the master');
    };
  });
}

/** The slave's replication loop: one connection at a time, reconnecting with backoff while subscribed. */
export function haClient$(deps: HaClientDeps): Observable<HaClientEvent> {
  return defer(() => {
    const address = deps.masterAddress();
    return address === undefined
      ? throwError(() => new HaMasterUnknownError())
      : slaveConnection$(address, deps);
  }).pipe(
    reconnecting({
      ...deps.backoff,
      scheduler: deps.scheduler,
      onRetry: (error, attempt, delayMs) => {
        const log = attempt === 1 ? deps.logger.warn.bind(deps.logger) : deps.logger.debug.bind(deps.logger);
        log(
          { error: String(error), attempt, retryInMs: delayMs },
          'HA replication interrupted; reconnecting',
        );
      },
    }),
  );
}
