/**
 * Per-queue offset lookups: GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), SEARCH_OFFSET_BY_TIMESTAMP (29) and
 * GET_EARLIEST_MSG_STORETIME (32). Each request names a queue; each response carries one long.
 */
import { requiredInt, requiredLong, requiredString, toExtFields } from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

export interface GetMaxOffsetRequestHeader {
  readonly topic: string;
  readonly queueId: number;
}
export type GetMinOffsetRequestHeader = GetMaxOffsetRequestHeader;
export type GetEarliestMsgStoretimeRequestHeader = GetMaxOffsetRequestHeader;

export interface SearchOffsetRequestHeader {
  readonly topic: string;
  readonly queueId: number;
  readonly timestamp: number;
}

export interface GetMaxOffsetResponseHeader {
  /** The next offset to be written (the consume queue's entry count). */
  readonly offset: number;
}
export type GetMinOffsetResponseHeader = GetMaxOffsetResponseHeader;
export type SearchOffsetResponseHeader = GetMaxOffsetResponseHeader;

export interface GetEarliestMsgStoretimeResponseHeader {
  readonly timestamp: number;
}

function encodeQueue(h: GetMaxOffsetRequestHeader): ExtFields {
  return toExtFields({ topic: h.topic, queueId: h.queueId });
}

function decodeQueue(ext: ExtFields | undefined): GetMaxOffsetRequestHeader {
  return { topic: requiredString(ext, 'topic'), queueId: requiredInt(ext, 'queueId') };
}

function encodeOffset(h: GetMaxOffsetResponseHeader): ExtFields {
  return toExtFields({ offset: h.offset });
}

function decodeOffset(ext: ExtFields | undefined): GetMaxOffsetResponseHeader {
  return { offset: requiredLong(ext, 'offset') };
}

export const encodeGetMaxOffsetRequestHeader = encodeQueue;
export const decodeGetMaxOffsetRequestHeader = decodeQueue;
export const encodeGetMinOffsetRequestHeader = encodeQueue;
export const decodeGetMinOffsetRequestHeader = decodeQueue;
export const encodeGetEarliestMsgStoretimeRequestHeader = encodeQueue;
export const decodeGetEarliestMsgStoretimeRequestHeader = decodeQueue;

export const encodeGetMaxOffsetResponseHeader = encodeOffset;
export const decodeGetMaxOffsetResponseHeader = decodeOffset;
export const encodeGetMinOffsetResponseHeader = encodeOffset;
export const decodeGetMinOffsetResponseHeader = decodeOffset;
export const encodeSearchOffsetResponseHeader = encodeOffset;
export const decodeSearchOffsetResponseHeader = decodeOffset;

export function encodeSearchOffsetRequestHeader(h: SearchOffsetRequestHeader): ExtFields {
  return toExtFields({ topic: h.topic, queueId: h.queueId, timestamp: h.timestamp });
}

export function decodeSearchOffsetRequestHeader(ext: ExtFields | undefined): SearchOffsetRequestHeader {
  return {
    topic: requiredString(ext, 'topic'),
    queueId: requiredInt(ext, 'queueId'),
    timestamp: requiredLong(ext, 'timestamp'),
  };
}

export function encodeGetEarliestMsgStoretimeResponseHeader(
  h: GetEarliestMsgStoretimeResponseHeader,
): ExtFields {
  return toExtFields({ timestamp: h.timestamp });
}

export function decodeGetEarliestMsgStoretimeResponseHeader(
  ext: ExtFields | undefined,
): GetEarliestMsgStoretimeResponseHeader {
  return { timestamp: requiredLong(ext, 'timestamp') };
}
