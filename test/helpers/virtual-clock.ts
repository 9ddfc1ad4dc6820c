import { VirtualTimeScheduler } from 'rxjs';

export type VirtualClock = VirtualTimeScheduler & {
  /** Runs everything due in the next `ms` and moves the clock there. */
  advance(ms: number): void;
  /** Sets what now() reads without running anything (a wall clock that jumps). */
  set(t: number): void;
};

/** A scheduler advanced by hand, whose now() starts at `start`: the code under test keeps its real I/O. */
export function virtualClock(start = 0): VirtualClock {
  let base = start;
  const scheduler = new VirtualTimeScheduler();
  scheduler.now = () => base + scheduler.frame;
  return Object.assign(scheduler, {
    advance(ms: number) {
      const target = scheduler.frame + ms;
      scheduler.maxFrames = target;
      scheduler.flush();
      scheduler.frame = target;
    },
    set(t: number) {
      base = t - scheduler.frame;
    },
  });
}
