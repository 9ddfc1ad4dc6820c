import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import { StoreCheckpoint } from './checkpoint.js';
import { CommitLog } from './commit-log.js';
import { recoverCommitLog } from './commit-log-recovery.js';
import { ConsumeQueueTable } from './consume-queue-table.js';
import { IndexThread } from './index-thread.js';
import type { StoreConfig } from './message-store-types.js';
import { Reput } from './reput.js';
import { abortFile, acquireStoreLock } from './store-lock.js';

export interface StoreParts {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly index: IndexThread | undefined;
  readonly checkpoint: StoreCheckpoint;
  readonly reput: Reput;
  readonly unlock: () => Promise<void>;
}

/**
 * Opens and recovers the store's files (DefaultMessageStore.load + recover): lock the directory, let each
 * ConsumeQueue find its end, verify the CommitLog tail (from the checkpoint after an abnormal stop), cut
 * queue and index entries beyond it, then dispatch whatever the queues lack before any put is taken, so
 * the next queue offsets come straight from the queues.
 */
export async function openStoreParts(
  config: StoreConfig,
  logger: Logger,
  tagsCodeOf?: (info: DispatchInfo) => number,
): Promise<StoreParts> {
  const root = config.storePathRootDir;
  const unlock = await acquireStoreLock(root);
  let index: IndexThread | undefined;
  try {
    const abnormal = await abortFile.existed(root);
    const checkpoint = await StoreCheckpoint.load(join(root, 'checkpoint'));
    const commitLogDir = config.storePathCommitLog ?? join(root, 'commitlog');
    const commitLog = await CommitLog.load(commitLogDir, config.mappedFileSizeCommitLog, {
      dsync: config.flushDiskType === 'SYNC_FLUSH',
    });
    const queues = await ConsumeQueueTable.load(
      join(root, 'consumequeue'),
      config.mappedFileSizeConsumeQueue,
    );
    index = config.messageIndexEnable
      ? await IndexThread.start(
          {
            indexDir: join(root, 'index'),
            geometry: { maxHashSlotNum: config.maxHashSlotNum, maxIndexNum: config.maxIndexNum },
            commitLogDir,
            commitLogFileSize: config.mappedFileSizeCommitLog,
          },
          logger,
        )
      : undefined;
    await queues.recover();
    const recovered = await recoverCommitLog(commitLog, {
      abnormal,
      trustedTimestamp: checkpoint.minTimestamp(config.messageIndexEnable),
      checkCrc: config.checkCRCOnRecover,
      logger,
    });
    await queues.truncateBeyond(recovered.end);
    await queues.deleteExpired(commitLog.minOffset);
    await index?.truncateBeyond(recovered.end);
    // A clean stop dispatched everything before it removed the abort file; after an unclean one, dispatch
    // is redone from where verification started (the ConsumeQueues skip what they already hold).
    const reputFrom = abnormal ? recovered.verifiedFrom : recovered.end;
    await index?.startFrom(reputFrom);
    const reput = new Reput(reputFrom, commitLog, queues, logger, tagsCodeOf);
    await reput.dispatchToEnd();
    index?.indexTo(reput.reputFromOffset);
    for (const queue of queues.all())
      commitLog.setNextQueueOffset(queue.topic, queue.queueId, queue.nextOffset);
    logger.info(
      {
        abnormal,
        commitLogEnd: recovered.end,
        verifiedFrom: recovered.verifiedFrom,
        redispatchedFrom: reputFrom,
      },
      abnormal ? 'store recovered after an unclean stop' : 'store opened',
    );
    return { commitLog, queues, index, checkpoint, reput, unlock };
  } catch (error) {
    await index?.close(0).catch(() => undefined);
    await unlock();
    throw error;
  }
}
