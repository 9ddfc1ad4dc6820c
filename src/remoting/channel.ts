import type { Observable, ObservableInput } from 'rxjs';
import type { RemotingCommand } from '../protocol/remoting-command.js';

/**
 * One live TCP connection as either side sees it. The broker keeps channels of clients to send them
 * requests of its own (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE); the name server drops a broker
 * when its channel closes.
 */
export interface Channel {
  readonly id: number;
  /** "ip:port" of the peer. */
  readonly remoteAddress: string;
  /** "ip:port" of our end. */
  readonly localAddress: string;
  /** Emits once, then completes, when the connection closes for any reason. */
  readonly closed$: Observable<void>;
  readonly isClosed: boolean;
  /** Sends a request on this channel and waits for the response with the same opaque. */
  invoke$(request: RemotingCommand, timeoutMs: number): Observable<RemotingCommand>;
  /** Sends a oneway request (the oneway flag is set here); resolves nothing, fails nothing. */
  oneway(request: RemotingCommand): void;
  close(): void;
}

/**
 * Handles one request code. Emitting `undefined` (or nothing) means "no response", which is also what a
 * oneway request always gets whatever the processor emits. Only the first emitted value is used. An error
 * becomes a SYSTEM_ERROR response carrying the error's message, and a log line.
 */
export type RequestProcessor = (
  request: RemotingCommand,
  channel: Channel,
) => ObservableInput<RemotingCommand | undefined>;
