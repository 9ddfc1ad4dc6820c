import type { Socket } from 'node:net';
import {
  type Observable,
  Observable as Obs,
  ReplaySubject,
  type SchedulerLike,
  Subject,
  type Subscription,
  from,
  take,
} from 'rxjs';
import { RemotingConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import { encodeFrame } from '../protocol/frame.js';
import {
  RPC_ONEWAY,
  type RemotingCommand,
  createResponse,
  isOneway,
  isResponse,
} from '../protocol/remoting-command.js';
import { ResponseCode } from '../protocol/response-code.js';
import { localAddressOf, remoteAddressOf } from './address.js';
import type { Channel, RequestProcessor } from './channel.js';
import { FrameOutbox } from './frame-outbox.js';
import { ResponseTable } from './response-table.js';
import { socketFrames$ } from './socket-frames.js';

export interface ConnectionOptions {
  readonly logger: Logger;
  readonly processors: ReadonlyMap<number, RequestProcessor>;
  readonly maxFrameLength?: number;
  /** Unsent bytes above which the connection counts as congested (never below the socket's own mark). */
  readonly highWaterBytes?: number;
  /**
   * Stop reading the peer while congested. Right for the side that mostly answers (the server): a peer
   * that sends requests but does not read the responses cannot grow our memory. Wrong for the side that
   * mostly asks: if both sides stopped reading while both were congested, neither would ever drain.
   */
  readonly pauseReadsWhenCongested?: boolean;
  readonly scheduler?: SchedulerLike;
}

export const DEFAULT_HIGH_WATER_BYTES = 4 * 1024 * 1024;
let nextChannelId = 1;

interface WriteWaiter {
  ready(): void;
  fail(error: Error): void;
}

/**
 * One TCP connection, either side: decodes frames, answers requests through the registered processors
 * (concurrently; a long-polling pull may take 15 s), resolves responses to our own calls by opaque, and
 * holds its own outgoing requests while the peer is not taking bytes, so nothing queues in the socket
 * without bound.
 */
export class Connection implements Channel {
  readonly id = nextChannelId++;
  readonly remoteAddress: string;
  readonly localAddress: string;
  private readonly closedSubject = new ReplaySubject<void>(1);
  readonly closed$: Observable<void> = this.closedSubject.asObservable();
  private readonly received = new Subject<RemotingCommand>();
  /** Every command the peer sends, requests and responses; errors on a bad frame, completes on close. */
  readonly frames$: Observable<RemotingCommand> = this.received.asObservable();
  private readonly responses: ResponseTable;
  private readonly highWater: number;
  private readonly reading: Subscription;
  private readonly waiting = new Set<WriteWaiter>();
  private closed = false;
  private readPaused = false;
  /** Requests decoded but not yet handled: one TCP chunk may carry hundreds, and pausing stops only later chunks. */
  private backlog: RemotingCommand[] = [];
  private readonly outbox: FrameOutbox;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.remoteAddress = remoteAddressOf(socket);
    this.localAddress = localAddressOf(socket);
    this.responses = new ResponseTable(this.remoteAddress, options.scheduler);
    this.highWater = Math.max(
      options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      socket.writableHighWaterMark,
    );
    // The socket emits 'drain' only after a write it refused; congestion that was all in the outbox ends
    // when the outbox is sent.
    this.outbox = new FrameOutbox(socket, () => {
      if ((this.readPaused || this.waiting.size > 0) && !this.congested) this.onDrain();
    });
    socket.setNoDelay(true);
    socket.on('drain', () => {
      this.onDrain();
    });
    socket.on('error', (error) => {
      options.logger.debug({ peer: this.remoteAddress, error: error.message }, 'socket error');
    });
    socket.once('close', () => {
      this.onClose();
    });
    const frameOptions =
      options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength };
    this.reading = socketFrames$(socket, frameOptions).subscribe({
      next: (command) => {
        this.onCommand(command);
      },
      error: (error: unknown) => {
        options.logger.warn(
          { peer: this.remoteAddress, reason: error instanceof Error ? error.message : String(error) },
          'closing connection: bad frame',
        );
        this.received.error(error);
      },
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written but not yet taken by the kernel. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength + this.outbox.pendingBytes;
  }

  /** Calls waiting for their response. */
  get pendingCalls(): number {
    return this.responses.size;
  }

  /** Outgoing requests held back until the socket drains. */
  get queuedWrites(): number {
    return this.waiting.size;
  }

  /** True while we have stopped reading because the peer is not reading our responses. */
  get isReadPaused(): boolean {
    return this.readPaused;
  }

  private get congested(): boolean {
    return this.pendingWriteBytes > this.highWater;
  }

  /**
   * Emits once (then completes) when the socket has room for more, at once if it has; waiters are served
   * in order. Errors with RemotingConnectionError if the connection closes first.
   */
  readonly writable$: Observable<void> = new Obs<void>((subscriber) => {
    if (this.closed) {
      subscriber.error(new RemotingConnectionError(this.remoteAddress, 'connection closed'));
      return undefined;
    }
    const waiter: WriteWaiter = {
      ready: () => {
        subscriber.next();
        subscriber.complete();
      },
      fail: (error) => {
        subscriber.error(error);
      },
    };
    if (this.waiting.size === 0 && !this.congested) {
      waiter.ready();
      return undefined;
    }
    this.waiting.add(waiter);
    return () => this.waiting.delete(waiter);
  });

  invoke$(request: RemotingCommand, timeoutMs: number): Observable<RemotingCommand> {
    return new Obs<RemotingCommand>((subscriber) => {
      if (this.closed) {
        subscriber.error(new RemotingConnectionError(this.remoteAddress, 'connection closed'));
        return undefined;
      }
      const { opaque, forget } = this.responses.add(subscriber, timeoutMs);
      const command = { ...request, opaque, flag: request.flag & ~RPC_ONEWAY };
      // Failures need no handling here: a closing connection fails the call through the response table.
      const sending = this.writable$.subscribe({
        complete: () => this.write(command),
        error: () => undefined,
      });
      return () => {
        sending.unsubscribe();
        forget();
      };
    });
  }

  oneway(request: RemotingCommand): void {
    const command = { ...request, flag: request.flag | RPC_ONEWAY };
    this.writable$.subscribe({ complete: () => this.write(command), error: () => undefined });
  }

  /** Writes at once, bypassing the queue (responses do; their volume is bounded by pausing reads). */
  write(command: RemotingCommand): boolean {
    if (this.closed) return false;
    this.outbox.write(encodeFrame(command));
    if (!this.congested) return true;
    if (this.options.pauseReadsWhenCongested === true && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    }
    return false;
  }

  /** Sends what is already written (an error answer before the close, say), then drops the connection. */
  close(): void {
    this.outbox.flush();
    this.socket.destroy();
  }

  private onCommand(command: RemotingCommand): void {
    this.received.next(command);
    if (isResponse(command)) {
      this.responses.resolve(command);
      return;
    }
    if (this.readPaused) this.backlog.push(command);
    else this.handleRequest(command);
  }

  private onDrain(): void {
    for (const waiter of this.waiting) {
      if (this.congested || this.closed) break;
      this.waiting.delete(waiter);
      waiter.ready();
    }
    if (this.readPaused && !this.congested) {
      this.readPaused = false;
      this.handleBacklog();
      if (!this.readPaused && !this.closed) this.socket.resume();
    }
  }

  private handleBacklog(): void {
    let i = 0;
    while (i < this.backlog.length && !this.readPaused && !this.closed) {
      this.handleRequest(this.backlog[i++]!);
    }
    this.backlog = i === this.backlog.length ? [] : this.backlog.slice(i);
  }

  private handleRequest(request: RemotingCommand): void {
    const processor = this.options.processors.get(request.code);
    if (processor === undefined) {
      this.options.logger.warn(
        { peer: this.remoteAddress, code: request.code },
        'request code not supported',
      );
      if (!isOneway(request)) {
        this.write(
          createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, {
            remark: ` request type ${request.code} not supported`,
          }),
        );
      }
      return;
    }
    const fail = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn(
        { peer: this.remoteAddress, code: request.code, error: message },
        'request failed',
      );
      if (!isOneway(request))
        this.write(createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: message }));
    };
    try {
      from(processor(request, this))
        .pipe(take(1))
        .subscribe({
          next: (response) => {
            if (response !== undefined && !isOneway(request)) this.write(response);
          },
          error: fail,
        });
    } catch (error) {
      fail(error);
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.backlog = [];
    this.reading.unsubscribe();
    this.responses.failAll('connection closed');
    const waiters = [...this.waiting];
    this.waiting.clear();
    for (const waiter of waiters)
      waiter.fail(new RemotingConnectionError(this.remoteAddress, 'connection closed'));
    this.received.complete();
    this.closedSubject.next();
    this.closedSubject.complete();
  }
}
