/** A place in line, taken when a request arrives. */
export interface Turn {
  /** Waits for every earlier turn, then calls `act` and gives up the place (whatever `act` returns). */
  run<T>(act: () => T): Promise<T>;
  /** Gives up the place without acting; later turns still wait for earlier ones. Idempotent. */
  release(): void;
}

/**
 * Keeps store puts in the order their requests arrived. Checking a send usually takes one microtask, but
 * creating a topic on the way takes a file write, and without a line a request that arrived later would
 * overtake it: a producer's ordered messages would land out of order. RocketMQ gets the same guarantee
 * from its single send thread.
 *
 * Turns are numbered; a turn whose predecessors are all gone acts at once, in the caller's own tick. Only
 * a turn that overtook an earlier one parks (a promise chain per request cost a broker under load more
 * than its puts' bookkeeping).
 */
export class ArrivalOrder {
  private nextTurn = 0;
  /** The oldest turn not yet given up: the one allowed to act. */
  private head = 0;
  /** Turns given up out of order, waiting for the ones before them. */
  private readonly gone = new Set<number>();
  private readonly parked = new Map<number, () => void>();

  take(): Turn {
    const turn = this.nextTurn++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.giveUp(turn);
    };
    const act = <T>(work: () => T): T => {
      try {
        return work();
      } finally {
        release();
      }
    };
    return {
      run: <T>(work: () => T): Promise<T> => {
        // The executor runs at once: the oldest turn acts in this tick, and a throw becomes the rejection.
        if (turn === this.head) {
          return new Promise<T>((resolve) => {
            resolve(act(work));
          });
        }
        return new Promise<void>((resolve) => {
          this.parked.set(turn, resolve);
        }).then(() => act(work));
      },
      release,
    };
  }

  private giveUp(turn: number): void {
    if (turn !== this.head) {
      this.gone.add(turn);
      return;
    }
    this.head += 1;
    while (this.gone.delete(this.head)) this.head += 1;
    const wake = this.parked.get(this.head);
    if (wake !== undefined) {
      this.parked.delete(this.head);
      wake();
    }
  }
}
