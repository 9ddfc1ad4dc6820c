import type { Socket } from 'node:net';
import { Observable, type SchedulerLike, Subject, defer, ignoreElements, merge } from 'rxjs';
import type { Logger } from '../../logger.js';
import { serviceLoop } from '../../operators/service-loop.js';
import type { MessageStore } from '../store/message-store.js';
import type { GroupTransfer } from './group-transfer.js';
import { ReportDecoder, encodeTransferHeader } from './ha-codec.js';

export interface MasterConnectionDeps {
  readonly store: Pick<MessageStore, 'readCommitLog' | 'maxPhysicalOffset' | 'dispatched$'>;
  readonly transfer: GroupTransfer;
  /** mappedFileSizeCommitLog: a slave with nothing gets the log from the start of the last segment. */
  readonly segmentSize: number;
  /** haTransferBatchSize: the most bytes one transfer carries. */
  readonly batchSize: number;
  /** haSendHeartbeatInterval: an idle master sends an empty transfer this often. */
  readonly heartbeatMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

/** How often an idle connection looks for new bytes without being woken (RocketMQ waits 100 ms). */
const IDLE_POLL_MS = 100;

/** Where to start streaming to a slave that reported `offset`: RocketMQ's WriteSocketService rule. */
export function transferStart(offset: number, masterMax: number, segmentSize: number): number {
  if (offset > 0) return offset;
  return masterMax - (masterMax % segmentSize);
}

const written = (socket: Socket, bytes: Buffer): Promise<void> =>
  socket.write(bytes)
    ? Promise.resolve()
    : new Promise((resolve) => {
        // Backpressure: the next read of the log waits until the socket has taken this one.
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });

/**
 * One slave on the master's HA port (RocketMQ's HAConnection): its reports move the group transfer; from
 * its first report on, committed CommitLog bytes are streamed to it in transfers that never cross a segment,
 * woken by every dispatch and polled when idle, with an empty transfer as heartbeat. Completes when the
 * slave goes away, errors on bad input; unsubscribing closes the socket.
 */
export function masterConnection$(socket: Socket, deps: MasterConnectionDeps): Observable<never> {
  const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const logger = deps.logger.child({ slave: peer });
  return new Observable<never>((subscriber) => {
    const id = deps.transfer.connected();
    const decoder = new ReportDecoder();
    const firstReport = new Subject<void>();
    let next: number | undefined;
    let lastWrite = deps.scheduler.now();
    logger.info({}, 'slave connected');

    socket.on('data', (chunk: Buffer) => {
      try {
        for (const offset of decoder.push(chunk)) {
          deps.transfer.reported(id, offset);
          if (next === undefined) {
            const masterMax = deps.store.maxPhysicalOffset;
            next = transferStart(offset, masterMax, deps.segmentSize);
            logger.info({ reported: offset, from: next }, 'streaming the CommitLog to the slave');
            if (offset > masterMax) {
              // Its log has bytes this master never had (another master's): it waits until this one catches up.
              logger.warn({ reported: offset, masterMax }, 'the slave is ahead of the master');
            }
            firstReport.next();
          }
        }
      } catch (error) {
        subscriber.error(error);
      }
    });
    socket.on('error', (error) => {
      subscriber.error(error);
    });
    socket.on('close', () => {
      subscriber.complete();
    });

    const sendSome = async (): Promise<void> => {
      for (;;) {
        if (next === undefined || socket.destroyed) return;
        const from = next;
        const bytes = await deps.store.readCommitLog(from, deps.batchSize);
        if (socket.destroyed) return;
        const now = deps.scheduler.now();
        if (bytes.length === 0) {
          if (now - lastWrite >= deps.heartbeatMs) {
            lastWrite = now;
            await written(socket, encodeTransferHeader(from, 0));
          }
          return;
        }
        next = from + bytes.length;
        lastWrite = now;
        socket.write(encodeTransferHeader(from, bytes.length));
        await written(socket, bytes);
      }
    };
    const pump = serviceLoop(() => defer(sendSome), {
      periodMs: Math.min(IDLE_POLL_MS, deps.heartbeatMs),
      wakeup$: merge(firstReport, deps.store.dispatched$),
      scheduler: deps.scheduler,
    })
      .pipe(ignoreElements())
      .subscribe({
        error: (error: unknown) => {
          subscriber.error(error);
        },
      });

    return () => {
      pump.unsubscribe();
      deps.transfer.disconnected(id);
      socket.destroy();
      logger.info({ sentUpTo: next }, 'slave disconnected');
    };
  });
}
