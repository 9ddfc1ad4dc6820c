/** QUERY_MESSAGE (12) by key or UNIQ_KEY, and VIEW_MESSAGE_BY_ID (33) by commitlog offset. */
import { optionalBoolean, requiredInt, requiredLong, requiredString, toExtFields } from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

/** extFields key (MixAll.UNIQUE_MSG_QUERY_FLAG) that turns a key query into a UNIQ_KEY lookup. */
export const UNIQUE_MSG_QUERY_FLAG = '_UNIQUE_KEY_QUERY';

export interface QueryMessageRequestHeader {
  readonly topic: string;
  readonly key: string;
  readonly maxNum: number;
  readonly beginTimestamp: number;
  readonly endTimestamp: number;
  /** Carried as the `_UNIQUE_KEY_QUERY` extField. */
  readonly uniqueKeyQuery?: boolean | undefined;
}

export function encodeQueryMessageRequestHeader(h: QueryMessageRequestHeader): ExtFields {
  return toExtFields({
    topic: h.topic,
    key: h.key,
    maxNum: h.maxNum,
    beginTimestamp: h.beginTimestamp,
    endTimestamp: h.endTimestamp,
    [UNIQUE_MSG_QUERY_FLAG]: h.uniqueKeyQuery,
  });
}

export function decodeQueryMessageRequestHeader(ext: ExtFields | undefined): QueryMessageRequestHeader {
  return {
    topic: requiredString(ext, 'topic'),
    key: requiredString(ext, 'key'),
    maxNum: requiredInt(ext, 'maxNum'),
    beginTimestamp: requiredLong(ext, 'beginTimestamp'),
    endTimestamp: requiredLong(ext, 'endTimestamp'),
    uniqueKeyQuery: optionalBoolean(ext, UNIQUE_MSG_QUERY_FLAG),
  };
}

export interface QueryMessageResponseHeader {
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
}

export function encodeQueryMessageResponseHeader(h: QueryMessageResponseHeader): ExtFields {
  return toExtFields({
    indexLastUpdateTimestamp: h.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: h.indexLastUpdatePhyoffset,
  });
}

export function decodeQueryMessageResponseHeader(ext: ExtFields | undefined): QueryMessageResponseHeader {
  return {
    indexLastUpdateTimestamp: requiredLong(ext, 'indexLastUpdateTimestamp'),
    indexLastUpdatePhyoffset: requiredLong(ext, 'indexLastUpdatePhyoffset'),
  };
}

export interface ViewMessageRequestHeader {
  /** CommitLog physical offset, as decoded from an offset msgId. */
  readonly offset: number;
}

export function encodeViewMessageRequestHeader(h: ViewMessageRequestHeader): ExtFields {
  return toExtFields({ offset: h.offset });
}

export function decodeViewMessageRequestHeader(ext: ExtFields | undefined): ViewMessageRequestHeader {
  return { offset: requiredLong(ext, 'offset') };
}
