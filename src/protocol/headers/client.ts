/**
 * Client registration: HEART_BEAT (34) body HeartbeatData, UNREGISTER_CLIENT (35),
 * GET_CONSUMER_LIST_BY_GROUP (38) and NOTIFY_CONSUMER_IDS_CHANGED (40).
 */
import { optionalString, requiredString, toExtFields } from '../ext-fields.js';
import {
  type JsonObject,
  asObject,
  encodeJsonBody,
  jsonArray,
  jsonBoolean,
  jsonNumber,
  jsonOptionalString,
  jsonString,
  numberItem,
  parseJsonObject,
  stringItem,
} from '../json-body.js';
import type { ExtFields } from '../remoting-command.js';

const CONSUME_TYPES = ['CONSUME_ACTIVELY', 'CONSUME_PASSIVELY'] as const;
const MESSAGE_MODELS = ['BROADCASTING', 'CLUSTERING'] as const;
export type ConsumeType = (typeof CONSUME_TYPES)[number];
export type MessageModel = (typeof MESSAGE_MODELS)[number];

export interface SubscriptionData {
  readonly classFilterMode: boolean;
  readonly topic: string;
  /** `*` or `TagA || TagB`, or an SQL92 expression. */
  readonly subString: string;
  readonly tagsSet: readonly string[];
  /** Java String.hashCode of each tag. */
  readonly codeSet: readonly number[];
  readonly subVersion: number;
  /** `TAG` or `SQL92`. */
  readonly expressionType: string;
  readonly filterClassSource?: string | undefined;
}

export interface ProducerData {
  readonly groupName: string;
}

export interface ConsumerData {
  readonly groupName: string;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  /** ConsumeFromWhere name, e.g. `CONSUME_FROM_LAST_OFFSET`. */
  readonly consumeFromWhere: string;
  readonly subscriptionDataSet: readonly SubscriptionData[];
  readonly unitMode: boolean;
}

export interface HeartbeatData {
  /** `ip@instanceName[@unitName]`. */
  readonly clientID: string;
  readonly producerDataSet: readonly ProducerData[];
  readonly consumerDataSet: readonly ConsumerData[];
}

/** fastjson reads an enum name it does not know as null; the Java default applies then. */
function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function parseSubscriptionData(value: unknown, what = 'subscriptionData'): SubscriptionData {
  const o = asObject(value, what);
  return {
    classFilterMode: jsonBoolean(o, 'classFilterMode', false),
    topic: jsonString(o, 'topic'),
    subString: jsonString(o, 'subString', '*'),
    tagsSet: jsonArray(o, 'tagsSet', stringItem),
    codeSet: jsonArray(o, 'codeSet', numberItem),
    subVersion: jsonNumber(o, 'subVersion', 0),
    expressionType: jsonString(o, 'expressionType', 'TAG'),
    filterClassSource: jsonOptionalString(o, 'filterClassSource'),
  };
}

function parseConsumerData(value: unknown, what: string): ConsumerData {
  const o: JsonObject = asObject(value, what);
  return {
    groupName: jsonString(o, 'groupName'),
    consumeType: oneOf(jsonString(o, 'consumeType', ''), CONSUME_TYPES, 'CONSUME_PASSIVELY'),
    messageModel: oneOf(jsonString(o, 'messageModel', ''), MESSAGE_MODELS, 'CLUSTERING'),
    consumeFromWhere: jsonString(o, 'consumeFromWhere', 'CONSUME_FROM_LAST_OFFSET'),
    subscriptionDataSet: jsonArray(o, 'subscriptionDataSet', parseSubscriptionData),
    unitMode: jsonBoolean(o, 'unitMode', false),
  };
}

/** HEART_BEAT body; missing sets and fields take Java's defaults (non-Java clients leave some out). */
export function parseHeartbeatData(body: Uint8Array | undefined): HeartbeatData {
  const o = parseJsonObject(body, 'HeartbeatData');
  return {
    clientID: jsonString(o, 'clientID'),
    producerDataSet: jsonArray(o, 'producerDataSet', (v, name) => ({
      groupName: jsonString(asObject(v, name), 'groupName'),
    })),
    consumerDataSet: jsonArray(o, 'consumerDataSet', parseConsumerData),
  };
}

export function encodeHeartbeatData(data: HeartbeatData): Buffer {
  return encodeJsonBody(data);
}

export interface UnregisterClientRequestHeader {
  readonly clientID: string;
  readonly producerGroup?: string | undefined;
  readonly consumerGroup?: string | undefined;
}

export function encodeUnregisterClientRequestHeader(h: UnregisterClientRequestHeader): ExtFields {
  return toExtFields({
    clientID: h.clientID,
    producerGroup: h.producerGroup,
    consumerGroup: h.consumerGroup,
  });
}

export function decodeUnregisterClientRequestHeader(
  ext: ExtFields | undefined,
): UnregisterClientRequestHeader {
  return {
    clientID: requiredString(ext, 'clientID'),
    producerGroup: optionalString(ext, 'producerGroup'),
    consumerGroup: optionalString(ext, 'consumerGroup'),
  };
}

export interface GetConsumerListByGroupRequestHeader {
  readonly consumerGroup: string;
}

export function encodeGetConsumerListByGroupRequestHeader(h: GetConsumerListByGroupRequestHeader): ExtFields {
  return toExtFields({ consumerGroup: h.consumerGroup });
}

export function decodeGetConsumerListByGroupRequestHeader(
  ext: ExtFields | undefined,
): GetConsumerListByGroupRequestHeader {
  return { consumerGroup: requiredString(ext, 'consumerGroup') };
}

export interface GetConsumerListByGroupResponseBody {
  readonly consumerIdList: readonly string[];
}

export function encodeGetConsumerListByGroupResponseBody(b: GetConsumerListByGroupResponseBody): Buffer {
  return encodeJsonBody({ consumerIdList: b.consumerIdList });
}

export function parseGetConsumerListByGroupResponseBody(
  body: Uint8Array | undefined,
): GetConsumerListByGroupResponseBody {
  const o = parseJsonObject(body, 'GetConsumerListByGroupResponseBody');
  return { consumerIdList: jsonArray(o, 'consumerIdList', stringItem) };
}

export interface NotifyConsumerIdsChangedRequestHeader {
  readonly consumerGroup: string;
}

export function encodeNotifyConsumerIdsChangedRequestHeader(
  h: NotifyConsumerIdsChangedRequestHeader,
): ExtFields {
  return toExtFields({ consumerGroup: h.consumerGroup });
}

export function decodeNotifyConsumerIdsChangedRequestHeader(
  ext: ExtFields | undefined,
): NotifyConsumerIdsChangedRequestHeader {
  return { consumerGroup: requiredString(ext, 'consumerGroup') };
}
