import {
  NEVER,
  type Observable,
  type SchedulerLike,
  defer,
  ignoreElements,
  interval,
  lastValueFrom,
  merge,
  tap,
  Subject,
} from 'rxjs';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import { serviceLoop } from '../../operators/service-loop.js';
import type { CommitLog } from './commit-log.js';
import type { StoreCheckpoint } from './checkpoint.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexThread } from './index-thread.js';
import type { Reput } from './reput.js';

export interface StoreServiceParts {
  readonly commitLog: CommitLog;
  readonly reput: Reput;
  readonly queues: ConsumeQueueTable;
  readonly index: IndexThread | undefined;
  readonly checkpoint: StoreCheckpoint;
  readonly syncFlush: boolean;
  readonly commitIntervalMs: number;
  readonly flushIntervalMs: number;
  readonly flushLogicsIntervalMs: number;
  readonly waiterSweepMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  /** A put appended bytes. */
  readonly appended$: Observable<unknown>;
  readonly flushed: (offset: number) => void;
  readonly dispatched: (info: DispatchInfo) => void;
  /** A reput run ended at this CommitLog offset. */
  readonly reputDone: (offset: number) => void;
  readonly sweepWaiters: (now: number) => void;
  /** How long each trip to the disk took, in seconds: the commit under SYNC_FLUSH, the fdatasync otherwise. */
  readonly flushTimed?: (seconds: number) => void;
  /** A CommitLog write failed (ENOSPC, EIO): the bytes stay appended and the next commit writes them again. */
  readonly commitFailed?: (error: unknown) => void;
  /** The first commit that succeeded after failed ones. */
  readonly commitRecovered?: () => void;
}

/** Latency is measured on the monotonic clock: the scheduler's clock is for when things happen, not how long. */
async function timed(
  record: ((seconds: number) => void) | undefined,
  job: () => Promise<void>,
): Promise<void> {
  if (record === undefined) return job();
  const started = performance.now();
  await job();
  record((performance.now() - started) / 1000);
}

/**
 * Logs a failing job once per streak (a full disk fails every commit until space returns) and keeps the
 * loop alive: an I/O error must not stop the store's services. `streak` hears of every failure and of the
 * first success after them.
 */
function guarded(
  name: string,
  logger: Logger,
  job: () => Promise<void>,
  streak: { failed?(error: unknown): void; recovered?(): void } = {},
): () => Observable<void> {
  let failing = false;
  return () =>
    defer(async () => {
      try {
        await job();
        if (failing) {
          logger.info({ service: name }, 'store service recovered');
          streak.recovered?.();
        }
        failing = false;
      } catch (error) {
        if (!failing) logger.error({ service: name, error: String(error) }, 'store service failed; retrying');
        failing = true;
        streak.failed?.(error);
      }
    });
}

/**
 * Commit writes allowed in flight at once before the commit loop waits. SYNC_FLUSH: a few, as puts wait on
 * them. ASYNC_FLUSH: one, so that puts gather into fewer, larger writes.
 */
const maxWritesInFlight = (syncFlush: boolean): number => (syncFlush ? 3 : 1);

/**
 * The store's background loops as one Observable (unsubscribe = stop): commit (woken by every put;
 * under SYNC_FLUSH its O_DSYNC writes are the group commit), flush (fdatasync on an interval under
 * ASYNC_FLUSH), reput (woken by every commit), ConsumeQueue/index flush with the checkpoint, and the
 * sweep that times out waiting puts.
 */
export function storeServices$(p: StoreServiceParts): Observable<never> {
  const committed$ = new Subject<void>();
  const { scheduler, logger } = p;
  const commitOnce = guarded(
    'commit',
    logger,
    async () => {
      await timed(p.syncFlush ? p.flushTimed : undefined, async () => {
        await p.commitLog.commit();
      });
      if (p.syncFlush) p.flushed(p.commitLog.flushedOffset);
      committed$.next();
    },
    {
      failed: (error) => p.commitFailed?.(error),
      recovered: () => p.commitRecovered?.(),
    },
  );
  // Never rejects: guarded logs the failure and the next round writes the same bytes again.
  const submit = (): Promise<void> => lastValueFrom(commitOnce(), { defaultValue: undefined });
  const commit$ = serviceLoop(
    () =>
      defer(async () => {
        // Wait for the check phase: every put of this event-loop turn (all the socket reads, not just the
        // first) joins this write, which under SYNC_FLUSH is also the group commit's disk round trip. Up to
        // a limit the loop does not wait for the write itself: the next turn's puts go out while this
        // write is still on its way, which keeps the disk busy while the CPU takes the next puts.
        await new Promise((resolve) => setImmediate(resolve));
        const done = submit();
        if (p.commitLog.writesInFlight >= maxWritesInFlight(p.syncFlush)) await done;
      }),
    { periodMs: p.commitIntervalMs, wakeup$: p.appended$, scheduler },
  );
  const flush$ = p.syncFlush
    ? NEVER
    : serviceLoop(
        guarded('flush', logger, async () => {
          await timed(p.flushTimed, async () => {
            p.flushed(await p.commitLog.flush());
          });
        }),
        { periodMs: p.flushIntervalMs, scheduler },
      );
  const reput$ = serviceLoop(
    guarded('reput', logger, async () => {
      const offset = await p.reput.dispatchToEnd(p.dispatched);
      p.index?.indexTo(offset);
      p.reputDone(offset);
    }),
    { periodMs: 1000, wakeup$: committed$, scheduler },
  );
  const logics$ = serviceLoop(
    guarded('flush-logics', logger, () => flushLogics(p)),
    {
      periodMs: p.flushLogicsIntervalMs,
      scheduler,
    },
  );
  const sweep$ = interval(p.waiterSweepMs, scheduler).pipe(
    tap(() => {
      p.sweepWaiters(scheduler.now());
    }),
  );
  return merge(commit$, flush$, reput$, logics$, sweep$).pipe(ignoreElements());
}

/** ConsumeQueues and index to disk, then the checkpoint that vouches for them. */
export async function flushLogics(
  p: Pick<StoreServiceParts, 'reput' | 'queues' | 'index' | 'commitLog' | 'checkpoint'>,
): Promise<void> {
  const logicsTimestamp = p.reput.lastDispatchedTimestamp;
  await p.queues.flushAll();
  if (p.index !== undefined) await p.index.flush(p.reput.reputFromOffset);
  const { checkpoint } = p;
  if (p.commitLog.flushedTimestamp > 0) checkpoint.physicMsgTimestamp = p.commitLog.flushedTimestamp;
  if (logicsTimestamp > 0) checkpoint.logicsMsgTimestamp = logicsTimestamp;
  if (p.index !== undefined && p.index.flushedTimestamp > 0)
    checkpoint.indexMsgTimestamp = p.index.flushedTimestamp;
  await checkpoint.flush();
}
