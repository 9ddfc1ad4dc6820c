import type { SchedulerLike } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { DispatchInfo } from '../../protocol/message-codec.js';
import type { BrokerConfig } from '../config.js';
import type { AppendedRecord } from './commit-log.js';

export type StoreConfig = Pick<
  BrokerConfig,
  | 'storePathRootDir'
  | 'storePathCommitLog'
  | 'mappedFileSizeCommitLog'
  | 'mappedFileSizeConsumeQueue'
  | 'flushDiskType'
  | 'syncFlushTimeout'
  | 'flushIntervalCommitLog'
  | 'commitIntervalCommitLog'
  | 'flushIntervalConsumeQueue'
  | 'maxMessageSize'
  | 'checkCRCOnRecover'
  | 'messageIndexEnable'
  | 'maxHashSlotNum'
  | 'maxIndexNum'
  | 'fileReservedTime'
  | 'deleteWhen'
  | 'diskMaxUsedSpaceRatio'
  | 'diskSpaceWarningLevelRatio'
  | 'diskMinFreeSpaceMB'
  | 'cleanResourceInterval'
>;

export interface MessageStoreOptions {
  readonly logger: Logger;
  readonly scheduler?: SchedulerLike;
  /** Disk use of the store's file system as a ratio 0..1; statfs by default. */
  readonly diskUsage?: () => Promise<number>;
  /** The ConsumeQueue tag slot of a record, when it is not the tag hash (the schedule's delivery times). */
  readonly tagsCodeOf?: (info: DispatchInfo) => number;
  /** Each flush's duration in seconds, for the flush latency histogram. */
  readonly flushTimed?: (seconds: number) => void;
  /**
   * SYNC_MASTER's group transfer: resolves once a slave holds the log up to `end`, or says why not. Asked
   * after the flush wait, for puts that wait for the store (RocketMQ's handleHA).
   */
  readonly awaitReplica?: (end: number, now: number) => Promise<ReplicaStatus>;
  /** A slave's store: puts are refused with this reason; only replicated bytes are appended. */
  readonly refuseWrites?: string;
}

/** What the slave's side of a put came to: held by a slave, not in time, or no slave fit to wait for. */
export type ReplicaStatus = 'PUT_OK' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface PutOptions {
  /** The message's WAIT property: false answers once the bytes are in the write buffer, even under SYNC_FLUSH. */
  readonly waitStoreMsgOK?: boolean;
}

/**
 * PUT_OK, or stored but unconfirmed: FLUSH_DISK_TIMEOUT (fdatasync did not confirm it within
 * syncFlushTimeout), FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE (SYNC_MASTER's slave did not).
 */
export interface PutResult {
  readonly status: 'FLUSH_DISK_TIMEOUT' | ReplicaStatus;
  readonly records: readonly AppendedRecord[];
}

export interface QueryResult {
  readonly records: readonly Buffer[];
  readonly lastUpdateTimestamp: number;
  readonly lastUpdatePhysicalOffset: number;
}
