import type { Socket } from 'node:net';

/**
 * A turn's gathered frames go out early once there are this many (or bytes): the peer starts on the first
 * of them while this side is still busy with the rest, instead of the two sides taking turns.
 */
const MAX_FRAMES = 32;
const MAX_BYTES = 64 * 1024;

/**
 * Coalesces a socket's writes. The first frame of an event-loop turn goes out at once, so a lone call or
 * answer waits for nothing; the frames after it gather and go out as one writev in the check phase (or
 * earlier, at MAX_FRAMES / MAX_BYTES). A syscall per frame was the largest single cost of a loaded broker
 * and client.
 */
export class FrameOutbox {
  private frames: Buffer[] = [];
  private bytes = 0;
  private turnStarted = false;

  /** `sent` runs after each gathered batch reaches the socket. */
  constructor(
    private readonly socket: Socket,
    private readonly sent: () => void,
  ) {}

  /** Bytes gathered and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  write(frame: Buffer): void {
    if (!this.turnStarted) {
      this.turnStarted = true;
      setImmediate(this.endTurn);
      this.socket.write(frame);
      return;
    }
    this.frames.push(frame);
    this.bytes += frame.length;
    if (this.frames.length >= MAX_FRAMES || this.bytes >= MAX_BYTES) this.flush();
  }

  /** Hands every gathered frame to the socket now, in one writev. */
  flush(): void {
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    if (this.socket.destroyed) return;
    if (frames.length > 0) {
      this.socket.cork();
      for (const frame of frames) this.socket.write(frame);
      this.socket.uncork();
    }
    this.sent();
  }

  private readonly endTurn = (): void => {
    this.turnStarted = false;
    this.flush();
  };
}
