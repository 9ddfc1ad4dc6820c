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
 */
export class ArrivalOrder {
  private tail: Promise<unknown> = Promise.resolve();

  take(): Turn {
    const earlier = this.tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next turn waits for this one and, through it, for every earlier one, even if this one gives up early.
    this.tail = Promise.all([earlier, mine]);
    return {
      run: async (act) => {
        await earlier;
        try {
          return act();
        } finally {
          release();
        }
      },
      release: () => {
        release();
      },
    };
  }
}
