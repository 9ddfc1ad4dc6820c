import { type Observable, ReplaySubject, EMPTY } from 'rxjs';
import type { RemotingCommand } from '../../src/protocol/remoting-command.js';
import type { Channel } from '../../src/remoting/channel.js';

/** A Channel that records what is sent on it; `closeNow()` fires closed$ like a dropped connection. */
export class FakeChannel implements Channel {
  private static nextId = 1;
  readonly id = FakeChannel.nextId++;
  readonly sent: RemotingCommand[] = [];
  /** Replays like a real Connection's: whatever subscribes after the close (a pull parking late) sees it. */
  private readonly closed = new ReplaySubject<void>(1);
  readonly closed$: Observable<void> = this.closed.asObservable();
  isClosed = false;

  constructor(
    readonly remoteAddress = '127.0.0.1:50000',
    readonly localAddress = '127.0.0.1:10911',
  ) {}

  invoke$(request: RemotingCommand): Observable<RemotingCommand> {
    this.sent.push(request);
    return EMPTY;
  }

  oneway(request: RemotingCommand): void {
    this.sent.push(request);
  }

  close(): void {
    this.closeNow();
  }

  closeNow(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closed.next();
    this.closed.complete();
  }
}
