/**
 * The admin tools' statistics requests: GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208),
 * GET_CONSUMER_CONNECTION_LIST (203) and INVOKE_BROKER_TO_RESET_OFFSET (222) / RESET_CONSUMER_CLIENT_OFFSET
 * (220), headers and bodies as Java's mqadmin sends and reads them. MessageQueue-keyed tables travel in
 * fastjson's object-key syntax.
 */
import { optionalBoolean, optionalString, requiredLong, requiredString, toExtFields } from '../ext-fields.js';
import { stringifyFastJson, stringifyObjectKeyedMap } from '../fastjson.js';
import {
  asObject,
  jsonArray,
  jsonNumber,
  jsonOptionalString,
  jsonString,
  numberItem,
  parseJsonObject,
} from '../json-body.js';
import type { ExtFields } from '../remoting-command.js';
import {
  type ConsumeType,
  type MessageModel,
  type SubscriptionData,
  parseSubscriptionData,
} from './client.js';
import { type MessageQueue, parseMessageQueue } from './lock.js';

export interface TopicRequestHeader {
  readonly topic: string;
}

export const encodeGetTopicStatsInfoRequestHeader = (h: TopicRequestHeader): ExtFields =>
  toExtFields({ topic: h.topic });

export const decodeGetTopicStatsInfoRequestHeader = (ext: ExtFields | undefined): TopicRequestHeader => ({
  topic: requiredString(ext, 'topic'),
});

export interface GetConsumeStatsRequestHeader {
  readonly consumerGroup: string;
  /** Every topic the group has offsets for when absent. */
  readonly topic?: string | undefined;
}

export const encodeGetConsumeStatsRequestHeader = (h: GetConsumeStatsRequestHeader): ExtFields =>
  toExtFields({ consumerGroup: h.consumerGroup, topic: h.topic });

export const decodeGetConsumeStatsRequestHeader = (
  ext: ExtFields | undefined,
): GetConsumeStatsRequestHeader => ({
  consumerGroup: requiredString(ext, 'consumerGroup'),
  topic: optionalString(ext, 'topic'),
});

export interface GetConsumerConnectionListRequestHeader {
  readonly consumerGroup: string;
}

export const encodeGetConsumerConnectionListRequestHeader = (
  h: GetConsumerConnectionListRequestHeader,
): ExtFields => toExtFields({ consumerGroup: h.consumerGroup });

export const decodeGetConsumerConnectionListRequestHeader = (
  ext: ExtFields | undefined,
): GetConsumerConnectionListRequestHeader => ({ consumerGroup: requiredString(ext, 'consumerGroup') });

export interface ResetOffsetRequestHeader {
  readonly topic: string;
  readonly group: string;
  /** Milliseconds; -1 means the end of each queue. */
  readonly timestamp: number;
  readonly isForce: boolean;
}

export const encodeResetOffsetRequestHeader = (h: ResetOffsetRequestHeader): ExtFields =>
  toExtFields({ topic: h.topic, group: h.group, timestamp: h.timestamp, isForce: h.isForce });

export const decodeResetOffsetRequestHeader = (ext: ExtFields | undefined): ResetOffsetRequestHeader => ({
  topic: requiredString(ext, 'topic'),
  group: requiredString(ext, 'group'),
  timestamp: requiredLong(ext, 'timestamp'),
  isForce: optionalBoolean(ext, 'isForce') ?? false,
});

/** A table keyed by MessageQueue, in queue order. */
export type QueueTable<T> = readonly (readonly [MessageQueue, T])[];

const mqJson = (mq: MessageQueue): object => ({
  brokerName: mq.brokerName,
  queueId: mq.queueId,
  topic: mq.topic,
});

function encodeQueueTable<T>(table: QueueTable<T>, value: (v: T) => unknown): string {
  return stringifyObjectKeyedMap(table.map(([mq, v]) => [mqJson(mq), value(v)] as const));
}

function parseQueueTable<T>(
  raw: unknown,
  what: string,
  value: (v: unknown, what: string) => T,
): [MessageQueue, T][] {
  if (raw === undefined || raw === null) return [];
  const table = asObject(raw, what);
  const entries = Object.keys(table).map((key): [MessageQueue, T] => {
    let parsedKey: unknown;
    try {
      parsedKey = JSON.parse(key);
    } catch {
      parsedKey = undefined;
    }
    return [parseMessageQueue(parsedKey, `${what} key`), value(table[key], `${what}[${key}]`)];
  });
  return entries.sort(
    ([a], [b]) =>
      a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId,
  );
}

export interface TopicOffset {
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly lastUpdateTimestamp: number;
}

export interface TopicStatsTable {
  readonly offsetTable: QueueTable<TopicOffset>;
}

export function encodeTopicStatsTable(t: TopicStatsTable): Buffer {
  const table = encodeQueueTable(t.offsetTable, (o) => ({
    lastUpdateTimestamp: o.lastUpdateTimestamp,
    maxOffset: o.maxOffset,
    minOffset: o.minOffset,
  }));
  return Buffer.from(`{"offsetTable":${table}}`, 'utf8');
}

export function decodeTopicStatsTable(body: Uint8Array | undefined): TopicStatsTable {
  const o = parseJsonObject(body, 'TopicStatsTable');
  return {
    offsetTable: parseQueueTable(o.offsetTable, 'offsetTable', (v, what) => {
      const entry = asObject(v, what);
      return {
        minOffset: jsonNumber(entry, 'minOffset', 0),
        maxOffset: jsonNumber(entry, 'maxOffset', 0),
        lastUpdateTimestamp: jsonNumber(entry, 'lastUpdateTimestamp', 0),
      };
    }),
  };
}

export interface OffsetWrapper {
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  /** Store time of the last consumed message, 0 when nothing was consumed. */
  readonly lastTimestamp: number;
}

export interface ConsumeStats {
  readonly offsetTable: QueueTable<OffsetWrapper>;
  readonly consumeTps: number;
}

export function encodeConsumeStats(s: ConsumeStats): Buffer {
  const table = encodeQueueTable(s.offsetTable, (o) => ({
    brokerOffset: o.brokerOffset,
    consumerOffset: o.consumerOffset,
    lastTimestamp: o.lastTimestamp,
  }));
  // A Java double: fastjson writes 0.0, which JSON.stringify would shorten to 0.
  const tps = Number.isInteger(s.consumeTps) ? s.consumeTps.toFixed(1) : String(s.consumeTps);
  return Buffer.from(`{"consumeTps":${tps},"offsetTable":${table}}`, 'utf8');
}

export function decodeConsumeStats(body: Uint8Array | undefined): ConsumeStats {
  const o = parseJsonObject(body, 'ConsumeStats');
  return {
    consumeTps: jsonNumber(o, 'consumeTps', 0),
    offsetTable: parseQueueTable(o.offsetTable, 'offsetTable', (v, what) => {
      const entry = asObject(v, what);
      return {
        brokerOffset: jsonNumber(entry, 'brokerOffset', 0),
        consumerOffset: jsonNumber(entry, 'consumerOffset', 0),
        lastTimestamp: jsonNumber(entry, 'lastTimestamp', 0),
      };
    }),
  };
}

export interface ClientConnection {
  readonly clientId: string;
  readonly clientAddr: string;
  /** LanguageCode name, e.g. JAVA. */
  readonly language: string;
  readonly version: number;
}

export interface ConsumerConnectionBody {
  readonly connectionSet: readonly ClientConnection[];
  readonly subscriptionTable: Readonly<Record<string, SubscriptionData>>;
  readonly consumeType: ConsumeType;
  readonly messageModel: MessageModel;
  readonly consumeFromWhere: string;
}

export function encodeConsumerConnection(c: ConsumerConnectionBody): Buffer {
  return Buffer.from(
    stringifyFastJson({
      connectionSet: c.connectionSet.map((x) => ({
        clientAddr: x.clientAddr,
        clientId: x.clientId,
        language: x.language,
        version: x.version,
      })),
      consumeFromWhere: c.consumeFromWhere,
      consumeType: c.consumeType,
      messageModel: c.messageModel,
      subscriptionTable: c.subscriptionTable,
    }),
    'utf8',
  );
}

export function decodeConsumerConnection(body: Uint8Array | undefined): ConsumerConnectionBody {
  const o = parseJsonObject(body, 'ConsumerConnection');
  const subscriptions =
    o.subscriptionTable === undefined || o.subscriptionTable === null
      ? {}
      : asObject(o.subscriptionTable, 'subscriptionTable');
  const subscriptionTable: Record<string, SubscriptionData> = {};
  for (const topic of Object.keys(subscriptions)) {
    Object.defineProperty(subscriptionTable, topic, {
      value: parseSubscriptionData(subscriptions[topic], `subscriptionTable.${topic}`),
      enumerable: true,
    });
  }
  return {
    connectionSet: jsonArray(o, 'connectionSet', (v, what) => {
      const x = asObject(v, what);
      return {
        clientId: jsonString(x, 'clientId'),
        clientAddr: jsonString(x, 'clientAddr', ''),
        language: jsonString(x, 'language', ''),
        version: jsonNumber(x, 'version', 0),
      };
    }),
    subscriptionTable,
    consumeType: jsonString(o, 'consumeType', 'CONSUME_PASSIVELY') as ConsumeType,
    messageModel: jsonString(o, 'messageModel', 'CLUSTERING') as MessageModel,
    consumeFromWhere: jsonOptionalString(o, 'consumeFromWhere') ?? '',
  };
}

export interface ResetOffsetBody {
  readonly offsetTable: QueueTable<number>;
}

export function encodeResetOffsetBody(b: ResetOffsetBody): Buffer {
  return Buffer.from(`{"offsetTable":${encodeQueueTable(b.offsetTable, (v) => v)}}`, 'utf8');
}

export function decodeResetOffsetBody(body: Uint8Array | undefined): ResetOffsetBody {
  const o = parseJsonObject(body, 'ResetOffsetBody');
  return {
    offsetTable: parseQueueTable(o.offsetTable, 'offsetTable', numberItem),
  };
}
