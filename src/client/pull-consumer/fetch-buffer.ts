import { type Observable, Subject } from 'rxjs';
import type { PulledMessage } from '../consumer-message.js';
import type { ProcessQueue } from '../process-queue.js';
import type { MessageQueue } from '../queue-selector.js';

/** One run of a queue's pull loop: its window counts what it pulled and nobody has taken yet. */
export interface FeedRun {
  readonly queue: MessageQueue;
  readonly window: ProcessQueue;
}

/**
 * Pulled messages waiting to be handed out, across queues in arrival order. A message leaves its run's window
 * when taken, so that window's pull loop gets room again: taking is what lets the consumer pull more. A run that
 * was dropped (seek, revoke, stop) leaves its messages here; they are skipped, never handed out.
 */
export interface FetchBuffer {
  push(run: FeedRun, message: PulledMessage): void;
  /** Up to `max` messages; `onTaken` hears each run once per call, after its messages left the window. */
  take(max: number, onTaken: (run: FeedRun) => void): PulledMessage[];
  /** Messages waiting, skipped ones included until a take passes them. */
  readonly size: number;
  /** Emits after every push. */
  readonly pushed$: Observable<void>;
  clear(): void;
}

interface Entry {
  readonly run: FeedRun;
  readonly message: PulledMessage;
}

/** Entries taken from the front are compacted away once they are this many and half the array. */
const COMPACT_AT = 1024;

export function createFetchBuffer(): FetchBuffer {
  let entries: Entry[] = [];
  let head = 0;
  const pushed$ = new Subject<void>();

  return {
    push(run, message) {
      entries.push({ run, message });
      pushed$.next();
    },
    take(max, onTaken) {
      const taken: PulledMessage[] = [];
      const runs = new Set<FeedRun>();
      while (taken.length < max && head < entries.length) {
        const { run, message } = entries[head++]!;
        if (run.window.dropped) continue;
        run.window.remove(message.queueOffset);
        runs.add(run);
        taken.push(message);
      }
      if (head >= COMPACT_AT && head * 2 >= entries.length) {
        entries = entries.slice(head);
        head = 0;
      }
      for (const run of runs) onTaken(run);
      return taken;
    },
    get size() {
      return entries.length - head;
    },
    pushed$: pushed$.asObservable(),
    clear() {
      entries = [];
      head = 0;
    },
  };
}
