import { type FileHandle, open } from 'node:fs/promises';
import { readLong, writeLong } from '../../protocol/long-field.js';

const FILE_SIZE = 4096;
/** RocketMQ steps back this far from the checkpoint before trusting it (StoreCheckpoint.getMinTimestamp). */
const SAFETY_MS = 3000;

/**
 * store/checkpoint (RocketMQ's StoreCheckpoint): the store timestamps up to which the CommitLog, the
 * ConsumeQueues and the index are known to be on disk. Abnormal recovery re-verifies from the CommitLog
 * segment that starts before the oldest of them.
 */
export class StoreCheckpoint {
  physicMsgTimestamp = 0;
  logicsMsgTimestamp = 0;
  indexMsgTimestamp = 0;
  private readonly buffer = Buffer.alloc(FILE_SIZE);

  private constructor(private readonly handle: FileHandle) {}

  static async load(path: string): Promise<StoreCheckpoint> {
    const handle = await open(path, 'r+').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return open(path, 'w+');
    });
    const checkpoint = new StoreCheckpoint(handle);
    const { bytesRead } = await handle.read(checkpoint.buffer, 0, FILE_SIZE, 0);
    if (bytesRead >= 24) {
      checkpoint.physicMsgTimestamp = readLong(checkpoint.buffer, 0);
      checkpoint.logicsMsgTimestamp = readLong(checkpoint.buffer, 8);
      checkpoint.indexMsgTimestamp = readLong(checkpoint.buffer, 16);
    }
    return checkpoint;
  }

  /** The time from which everything is known durable, less RocketMQ's safety margin. */
  minTimestamp(indexEnabled: boolean): number {
    let min = Math.min(this.physicMsgTimestamp, this.logicsMsgTimestamp);
    if (indexEnabled && this.indexMsgTimestamp > 0) min = Math.min(min, this.indexMsgTimestamp);
    return Math.max(0, min - SAFETY_MS);
  }

  async flush(): Promise<void> {
    writeLong(this.buffer, 0, this.physicMsgTimestamp);
    writeLong(this.buffer, 8, this.logicsMsgTimestamp);
    writeLong(this.buffer, 16, this.indexMsgTimestamp);
    await this.handle.write(this.buffer, 0, FILE_SIZE, 0);
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
