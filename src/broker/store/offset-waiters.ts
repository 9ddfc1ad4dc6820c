/**
 * Callers waiting for a log position to be reached (committed, flushed, replicated). Waiters come in append
 * order with one time limit for all, so both their positions and their deadlines are sorted: `advance`
 * resolves a prefix (one pass per commit or fdatasync, however many puts shared it) and `expire` fails one.
 */
export class OffsetWaiters {
  private ends: number[] = [];
  private deadlines: number[] = [];
  private callbacks: ((reached: boolean) => void)[] = [];
  private head = 0;

  get size(): number {
    return this.ends.length - this.head;
  }

  wait(end: number, deadline: number, callback: (reached: boolean) => void): void {
    this.ends.push(end);
    this.deadlines.push(deadline);
    this.callbacks.push(callback);
  }

  /** Resolves (true) every waiter whose position is at or below `position`. */
  advance(position: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! <= position) this.shift(true);
    this.compact();
  }

  /** Resolves (false) every waiter whose deadline has passed. */
  expire(now: number): void {
    while (this.head < this.ends.length && this.deadlines[this.head]! <= now) this.shift(false);
    this.compact();
  }

  /** Resolves (false) everyone: shutdown. */
  failAll(): void {
    while (this.head < this.ends.length) this.shift(false);
    this.compact();
  }

  private shift(reached: boolean): void {
    const callback = this.callbacks[this.head]!;
    this.head += 1;
    callback(reached);
  }

  private compact(): void {
    if (this.head === this.ends.length) {
      this.ends = [];
      this.deadlines = [];
      this.callbacks = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.callbacks = this.callbacks.slice(this.head);
      this.head = 0;
    }
  }
}
