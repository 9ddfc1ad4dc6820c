/**
 * SEND_MESSAGE (10) uses SendMessageRequestHeader's field names; SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320)
 * and SEND_REPLY_MESSAGE_V2 (325) the same fields under one-letter names (SendMessageRequestHeaderV2).
 */
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requiredInt,
  requiredLong,
  requiredString,
  toExtFields,
} from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';
import { RequestCode } from '../request-code.js';

export interface SendMessageRequestHeader {
  readonly producerGroup: string;
  readonly topic: string;
  /** The auto-create template topic, `TBW102`. */
  readonly defaultTopic: string;
  readonly defaultTopicQueueNums: number;
  /** Negative: the broker picks a queue. */
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly flag: number;
  readonly properties?: string | undefined;
  readonly reconsumeTimes?: number | undefined;
  readonly unitMode?: boolean | undefined;
  readonly maxReconsumeTimes?: number | undefined;
  readonly batch?: boolean | undefined;
  /** Broker name (4.9.x RpcRequestHeader); informational. */
  readonly bname?: string | undefined;
}

const V2_NAMES = {
  producerGroup: 'a',
  topic: 'b',
  defaultTopic: 'c',
  defaultTopicQueueNums: 'd',
  queueId: 'e',
  sysFlag: 'f',
  bornTimestamp: 'g',
  flag: 'h',
  properties: 'i',
  reconsumeTimes: 'j',
  unitMode: 'k',
  maxReconsumeTimes: 'l',
  batch: 'm',
  bname: 'n',
} as const satisfies Record<keyof SendMessageRequestHeader, string>;

const V1_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(V2_NAMES).map(([v1, v2]) => [v2, v1]),
);

function rename(ext: ExtFields, names: Readonly<Record<string, string>>): ExtFields {
  const out: ExtFields = {};
  for (const key in ext) out[names[key] ?? key] = ext[key]!;
  return out;
}

/** V1 field names → V2 one-letter names; other keys pass through. */
export function toV2(ext: ExtFields): ExtFields {
  return rename(ext, V2_NAMES);
}

/** V2 one-letter names → V1 field names; other keys pass through. */
export function fromV2(ext: ExtFields): ExtFields {
  return rename(ext, V1_NAMES);
}

/** V1 names. Java always writes unitMode and batch, so they default to false here too. */
export function encodeSendMessageRequestHeader(h: SendMessageRequestHeader): ExtFields {
  return toExtFields({
    producerGroup: h.producerGroup,
    topic: h.topic,
    defaultTopic: h.defaultTopic,
    defaultTopicQueueNums: h.defaultTopicQueueNums,
    queueId: h.queueId,
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    flag: h.flag,
    properties: h.properties,
    reconsumeTimes: h.reconsumeTimes,
    unitMode: h.unitMode ?? false,
    maxReconsumeTimes: h.maxReconsumeTimes,
    batch: h.batch ?? false,
    bname: h.bname,
  });
}

export function encodeSendMessageRequestHeaderV2(h: SendMessageRequestHeader): ExtFields {
  return toExtFields({
    a: h.producerGroup,
    b: h.topic,
    c: h.defaultTopic,
    d: h.defaultTopicQueueNums,
    e: h.queueId,
    f: h.sysFlag,
    g: h.bornTimestamp,
    h: h.flag,
    i: h.properties,
    j: h.reconsumeTimes,
    k: h.unitMode ?? false,
    l: h.maxReconsumeTimes,
    m: h.batch ?? false,
    n: h.bname,
  });
}

/** Decodes V1 field names (SEND_MESSAGE). */
export function decodeSendMessageRequestHeaderV1(ext: ExtFields | undefined): SendMessageRequestHeader {
  return {
    producerGroup: requiredString(ext, 'producerGroup'),
    topic: requiredString(ext, 'topic'),
    defaultTopic: requiredString(ext, 'defaultTopic'),
    defaultTopicQueueNums: requiredInt(ext, 'defaultTopicQueueNums'),
    queueId: requiredInt(ext, 'queueId'),
    sysFlag: requiredInt(ext, 'sysFlag'),
    bornTimestamp: requiredLong(ext, 'bornTimestamp'),
    flag: requiredInt(ext, 'flag'),
    properties: optionalString(ext, 'properties'),
    reconsumeTimes: optionalInt(ext, 'reconsumeTimes'),
    unitMode: optionalBoolean(ext, 'unitMode'),
    maxReconsumeTimes: optionalInt(ext, 'maxReconsumeTimes'),
    batch: optionalBoolean(ext, 'batch'),
    bname: optionalString(ext, 'bname'),
  };
}

/** Decodes V2 one-letter names (SEND_MESSAGE_V2, SEND_BATCH_MESSAGE). */
export function decodeSendMessageRequestHeaderV2(ext: ExtFields | undefined): SendMessageRequestHeader {
  return {
    producerGroup: requiredString(ext, 'a'),
    topic: requiredString(ext, 'b'),
    defaultTopic: requiredString(ext, 'c'),
    defaultTopicQueueNums: requiredInt(ext, 'd'),
    queueId: requiredInt(ext, 'e'),
    sysFlag: requiredInt(ext, 'f'),
    bornTimestamp: requiredLong(ext, 'g'),
    flag: requiredInt(ext, 'h'),
    properties: optionalString(ext, 'i'),
    reconsumeTimes: optionalInt(ext, 'j'),
    unitMode: optionalBoolean(ext, 'k'),
    maxReconsumeTimes: optionalInt(ext, 'l'),
    batch: optionalBoolean(ext, 'm'),
    bname: optionalString(ext, 'n'),
  };
}

const V2_CODES = new Set<number>([
  RequestCode.SEND_MESSAGE_V2,
  RequestCode.SEND_BATCH_MESSAGE,
  RequestCode.SEND_REPLY_MESSAGE_V2,
]);

/**
 * Picks the naming by request code as Java does, but follows the names actually present when a client
 * pairs a code with the other naming (seen in non-Java clients).
 */
export function decodeSendMessageRequestHeader(
  code: number,
  ext: ExtFields | undefined,
): SendMessageRequestHeader {
  const hasV2 = ext?.b !== undefined;
  const hasV1 = ext?.topic !== undefined;
  const v2 = V2_CODES.has(code) ? hasV2 || !hasV1 : hasV2 && !hasV1;
  return v2 ? decodeSendMessageRequestHeaderV2(ext) : decodeSendMessageRequestHeaderV1(ext);
}

export interface SendMessageResponseHeader {
  /** The offset message id (for batches, comma-joined). */
  readonly msgId: string;
  readonly queueId: number;
  /** Logical consume-queue offset of the (first) message. */
  readonly queueOffset: number;
  readonly transactionId?: string | undefined;
  /** Extra extFields a Java broker adds and the Java client reads. */
  readonly MSG_REGION?: string | undefined;
  readonly TRACE_ON?: string | undefined;
}

export function encodeSendMessageResponseHeader(h: SendMessageResponseHeader): ExtFields {
  return toExtFields({
    msgId: h.msgId,
    queueId: h.queueId,
    queueOffset: h.queueOffset,
    transactionId: h.transactionId,
    MSG_REGION: h.MSG_REGION,
    TRACE_ON: h.TRACE_ON,
  });
}

export function decodeSendMessageResponseHeader(ext: ExtFields | undefined): SendMessageResponseHeader {
  return {
    msgId: requiredString(ext, 'msgId'),
    queueId: requiredInt(ext, 'queueId'),
    queueOffset: requiredLong(ext, 'queueOffset'),
    transactionId: optionalString(ext, 'transactionId'),
    MSG_REGION: optionalString(ext, 'MSG_REGION'),
    TRACE_ON: optionalString(ext, 'TRACE_ON'),
  };
}
