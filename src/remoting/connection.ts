import type { Socket } from 'node:net';
import { type Observable, Observable as Obs, ReplaySubject, type SchedulerLike, from, take } from 'rxjs';
import { RemotingConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import { encodeFrame } from '../protocol/frame.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
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
import { ResponseTable } from './response-table.js';

export interface ConnectionOptions {
  readonly logger: Logger;
  readonly processors: ReadonlyMap<number, RequestProcessor>;
  readonly maxFrameLength?: number;
  /** Above this many unsent bytes we stop reading the peer's requests until the socket drains. */
  readonly highWaterBytes?: number;
  readonly scheduler?: SchedulerLike;
}

export const DEFAULT_HIGH_WATER_BYTES = 4 * 1024 * 1024;
let nextChannelId = 1;

/**
 * One TCP connection, either side: decodes frames, answers requests through the registered processors
 * (concurrently; a long-polling pull may take 15 s), resolves responses to our own calls by opaque, and
 * stops reading a peer that does not read its responses, so it cannot grow our memory without bound.
 */
export class Connection implements Channel {
  readonly id = nextChannelId++;
  readonly remoteAddress: string;
  readonly localAddress: string;
  private readonly closedSubject = new ReplaySubject<void>(1);
  readonly closed$: Observable<void> = this.closedSubject.asObservable();
  private readonly decoder: FrameDecoder;
  private readonly responses: ResponseTable;
  private readonly highWater: number;
  private closed = false;
  private pausedForBackpressure = false;
  /** Requests decoded but not yet handled: one TCP chunk may carry hundreds, and pausing stops only later chunks. */
  private backlog: RemotingCommand[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.remoteAddress = remoteAddressOf(socket);
    this.localAddress = localAddressOf(socket);
    this.decoder = new FrameDecoder(
      options.maxFrameLength === undefined ? {} : { maxFrameLength: options.maxFrameLength },
    );
    this.responses = new ResponseTable(this.remoteAddress, options.scheduler);
    this.highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('drain', () => {
      if (this.pausedForBackpressure) {
        this.pausedForBackpressure = false;
        this.handleBacklog();
        if (!this.pausedForBackpressure) socket.resume();
      }
    });
    socket.on('error', (error) => {
      this.options.logger.debug({ peer: this.remoteAddress, error: error.message }, 'socket error');
    });
    socket.on('close', () => {
      this.onClose();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written but not yet taken by the kernel. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength;
  }

  get pendingCalls(): number {
    return this.responses.size;
  }

  invoke$(request: RemotingCommand, timeoutMs: number): Observable<RemotingCommand> {
    return new Obs<RemotingCommand>((subscriber) => {
      if (this.closed) {
        subscriber.error(new RemotingConnectionError(this.remoteAddress, 'connection closed'));
        return undefined;
      }
      const { opaque, forget } = this.responses.add(subscriber, timeoutMs);
      this.write({ ...request, opaque, flag: request.flag & ~RPC_ONEWAY });
      return forget;
    });
  }

  oneway(request: RemotingCommand): void {
    this.write({ ...request, flag: request.flag | RPC_ONEWAY });
  }

  write(command: RemotingCommand): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(command));
    if (this.socket.writableLength > this.highWater && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.socket.pause();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let commands: RemotingCommand[];
    try {
      commands = this.decoder.push(chunk);
    } catch (error) {
      this.options.logger.warn(
        { peer: this.remoteAddress, reason: error instanceof Error ? error.message : String(error) },
        'closing connection: bad frame',
      );
      this.socket.destroy();
      return;
    }
    for (const command of commands) {
      if (isResponse(command)) this.responses.resolve(command);
      else this.backlog.push(command);
    }
    this.handleBacklog();
  }

  private handleBacklog(): void {
    let i = 0;
    while (i < this.backlog.length && !this.pausedForBackpressure && !this.closed) {
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
    this.responses.failAll('connection closed');
    this.closedSubject.next();
    this.closedSubject.complete();
  }
}
