/** PULL_MESSAGE (11): PullMessageRequestHeader, PullMessageResponseHeader and PullSysFlag. */
import { optionalString, requiredInt, requiredLong, requiredString, toExtFields } from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

export const PullSysFlag = {
  COMMIT_OFFSET: 0x1,
  /** Hold the pull (long polling) when nothing is there yet. */
  SUSPEND: 0x2,
  /** Use the request's `subscription` instead of the one registered by heartbeat. */
  SUBSCRIPTION: 0x4,
  CLASS_FILTER: 0x8,
  LITE_PULL_MESSAGE: 0x10,
} as const;

export interface PullSysFlagBits {
  readonly commitOffset?: boolean;
  readonly suspend?: boolean;
  readonly subscription?: boolean;
  readonly classFilter?: boolean;
  readonly litePull?: boolean;
}

export function buildPullSysFlag(bits: PullSysFlagBits): number {
  return (
    (bits.commitOffset ? PullSysFlag.COMMIT_OFFSET : 0) |
    (bits.suspend ? PullSysFlag.SUSPEND : 0) |
    (bits.subscription ? PullSysFlag.SUBSCRIPTION : 0) |
    (bits.classFilter ? PullSysFlag.CLASS_FILTER : 0) |
    (bits.litePull ? PullSysFlag.LITE_PULL_MESSAGE : 0)
  );
}

export const hasPullSysFlag = (sysFlag: number, bit: number): boolean => (sysFlag & bit) !== 0;

/** A slave must not store the offset a consumer piggy-backs on its pull. */
export const clearCommitOffsetFlag = (sysFlag: number): number => sysFlag & ~PullSysFlag.COMMIT_OFFSET;

export interface PullMessageRequestHeader {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly maxMsgNums: number;
  readonly sysFlag: number;
  /** The consumer's current offset for the queue, 0 when it has none. */
  readonly commitOffset: number;
  readonly suspendTimeoutMillis: number;
  readonly subscription?: string | undefined;
  readonly subVersion: number;
  /** `TAG` (default) or `SQL92`. */
  readonly expressionType?: string | undefined;
}

export function encodePullMessageRequestHeader(h: PullMessageRequestHeader): ExtFields {
  return toExtFields({
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: h.queueId,
    queueOffset: h.queueOffset,
    maxMsgNums: h.maxMsgNums,
    sysFlag: h.sysFlag,
    commitOffset: h.commitOffset,
    suspendTimeoutMillis: h.suspendTimeoutMillis,
    subscription: h.subscription,
    subVersion: h.subVersion,
    expressionType: h.expressionType,
  });
}

export function decodePullMessageRequestHeader(ext: ExtFields | undefined): PullMessageRequestHeader {
  return {
    consumerGroup: requiredString(ext, 'consumerGroup'),
    topic: requiredString(ext, 'topic'),
    queueId: requiredInt(ext, 'queueId'),
    queueOffset: requiredLong(ext, 'queueOffset'),
    maxMsgNums: requiredInt(ext, 'maxMsgNums'),
    sysFlag: requiredInt(ext, 'sysFlag'),
    commitOffset: requiredLong(ext, 'commitOffset'),
    suspendTimeoutMillis: requiredLong(ext, 'suspendTimeoutMillis'),
    subscription: optionalString(ext, 'subscription'),
    subVersion: requiredLong(ext, 'subVersion'),
    expressionType: optionalString(ext, 'expressionType'),
  };
}

export interface PullMessageResponseHeader {
  readonly suggestWhichBrokerId: number;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

export function encodePullMessageResponseHeader(h: PullMessageResponseHeader): ExtFields {
  return toExtFields({
    suggestWhichBrokerId: h.suggestWhichBrokerId,
    nextBeginOffset: h.nextBeginOffset,
    minOffset: h.minOffset,
    maxOffset: h.maxOffset,
  });
}

export function decodePullMessageResponseHeader(ext: ExtFields | undefined): PullMessageResponseHeader {
  return {
    suggestWhichBrokerId: requiredLong(ext, 'suggestWhichBrokerId'),
    nextBeginOffset: requiredLong(ext, 'nextBeginOffset'),
    minOffset: requiredLong(ext, 'minOffset'),
    maxOffset: requiredLong(ext, 'maxOffset'),
  };
}
