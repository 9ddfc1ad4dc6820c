/**
 * Name server JSON bodies: DataVersion, TopicRouteData, ClusterInfo, TopicList and KVTable. Written the way
 * fastjson writes them (fields sorted, nulls left out), so Java tools and clients read them as from RocketMQ.
 */
import {
  asObject,
  jsonArray,
  jsonNumber,
  jsonOptionalString,
  jsonString,
  parseJsonObject,
  stringItem,
} from '../json-body.js';

/** `target[key] = value` that keeps a "__proto__" key an ordinary entry, as parsed JSON keys must be. */
export function setEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface DataVersion {
  readonly timestamp: number;
  readonly counter: number;
}

export const sameDataVersion = (a: DataVersion, b: DataVersion): boolean =>
  a.timestamp === b.timestamp && a.counter === b.counter;

export function parseDataVersion(value: unknown, what = 'DataVersion'): DataVersion {
  const o = asObject(value, what);
  return { timestamp: jsonNumber(o, 'timestamp', 0), counter: jsonNumber(o, 'counter', 0) };
}

export const decodeDataVersion = (body: Uint8Array | undefined): DataVersion =>
  parseDataVersion(parseJsonObject(body, 'DataVersion'));

export const dataVersionJson = (v: DataVersion): string =>
  `{"counter":${v.counter},"timestamp":${v.timestamp}}`;

export const encodeDataVersion = (v: DataVersion): Buffer => Buffer.from(dataVersionJson(v), 'utf8');

export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  /** PermName bits: 4 read, 2 write, 1 inherit. */
  readonly perm: number;
  readonly topicSysFlag: number;
}

export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId ("0" = master) → "ip:port". */
  readonly brokerAddrs: Readonly<Record<string, string>>;
}

export interface TopicRouteData {
  /** "brokerName:queueNums;…" for ordered topics; usually absent. */
  readonly orderTopicConf?: string | undefined;
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
  /** brokerAddr → filter server addresses; empty unless brokers announced filter servers. */
  readonly filterServerTable: Readonly<Record<string, readonly string[]>>;
}

/**
 * How map keys that are numbers in Java (BrokerData.brokerAddrs) are written. `fastjson` is fastjson's
 * default, `{0:"ip:port"}`, which only fastjson reads; `standard` quotes them and escapes non-ASCII, as the
 * name server does for clients announcing 4.9.4 or later, or asking with acceptStandardJsonOnly.
 */
export type JsonKeyStyle = 'standard' | 'fastjson';

const escapeNonAscii = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function stringWriter(style: JsonKeyStyle): (s: string) => string {
  return style === 'standard' ? (s) => escapeNonAscii(JSON.stringify(s)) : (s) => JSON.stringify(s);
}

function brokerDataJson(b: BrokerData, style: JsonKeyStyle): string {
  const str = stringWriter(style);
  const ids = Object.keys(b.brokerAddrs)
    .map(Number)
    .sort((x, y) => x - y);
  const addrs = ids
    .map((id) => `${style === 'standard' ? `"${id}"` : String(id)}:${str(b.brokerAddrs[String(id)] ?? '')}`)
    .join(',');
  return `{"brokerAddrs":{${addrs}},"brokerName":${str(b.brokerName)},"cluster":${str(b.cluster)}}`;
}

const queueDataJson = (q: QueueData, str: (s: string) => string): string =>
  `{"brokerName":${str(q.brokerName)},"perm":${q.perm},"readQueueNums":${q.readQueueNums},` +
  `"topicSysFlag":${q.topicSysFlag},"writeQueueNums":${q.writeQueueNums}}`;

function stringListMapJson(
  map: Readonly<Record<string, readonly string[]>>,
  str: (s: string) => string,
): string {
  const parts = Object.keys(map)
    .sort()
    .map((k) => `${str(k)}:[${(map[k] ?? []).map(str).join(',')}]`);
  return `{${parts.join(',')}}`;
}

export function topicRouteDataJson(route: TopicRouteData, style: JsonKeyStyle): string {
  const str = stringWriter(style);
  const fields = [
    `"brokerDatas":[${route.brokerDatas.map((b) => brokerDataJson(b, style)).join(',')}]`,
    `"filterServerTable":${stringListMapJson(route.filterServerTable, str)}`,
  ];
  if (route.orderTopicConf !== undefined) fields.push(`"orderTopicConf":${str(route.orderTopicConf)}`);
  fields.push(`"queueDatas":[${route.queueDatas.map((q) => queueDataJson(q, str)).join(',')}]`);
  return `{${fields.join(',')}}`;
}

export const encodeTopicRouteData = (route: TopicRouteData, style: JsonKeyStyle): Buffer =>
  Buffer.from(topicRouteDataJson(route, style), 'utf8');

function parseQueueData(value: unknown, what: string): QueueData {
  const o = asObject(value, what);
  return {
    brokerName: jsonString(o, 'brokerName'),
    readQueueNums: jsonNumber(o, 'readQueueNums', 0),
    writeQueueNums: jsonNumber(o, 'writeQueueNums', 0),
    perm: jsonNumber(o, 'perm', 6),
    // RocketMQ before 4.9.4 spelled it topicSynFlag.
    topicSysFlag: jsonNumber(o, 'topicSysFlag', jsonNumber(o, 'topicSynFlag', 0)),
  };
}

function parseStringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const o = asObject(value, what);
  const out: Record<string, string> = {};
  for (const key of Object.keys(o)) setEntry(out, key, jsonString(o, key));
  return out;
}

function parseBrokerData(value: unknown, what: string): BrokerData {
  const o = asObject(value, what);
  return {
    cluster: jsonString(o, 'cluster', ''),
    brokerName: jsonString(o, 'brokerName'),
    brokerAddrs: parseStringMap(o.brokerAddrs, `${what}.brokerAddrs`),
  };
}

function parseStringListMap(value: unknown, what: string): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  const o = asObject(value, what);
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(o)) setEntry(out, key, jsonArray(o, key, stringItem));
  return out;
}

/** Reads either key style (fastjson's unquoted numeric keys too). */
export function decodeTopicRouteData(body: Uint8Array | undefined): TopicRouteData {
  const o = parseJsonObject(body, 'TopicRouteData');
  const orderTopicConf = jsonOptionalString(o, 'orderTopicConf');
  return {
    ...(orderTopicConf === undefined ? {} : { orderTopicConf }),
    queueDatas: jsonArray(o, 'queueDatas', parseQueueData),
    brokerDatas: jsonArray(o, 'brokerDatas', parseBrokerData),
    filterServerTable: parseStringListMap(o.filterServerTable, 'filterServerTable'),
  };
}

export interface ClusterInfo {
  /** brokerName → BrokerData. */
  readonly brokerAddrTable: Readonly<Record<string, BrokerData>>;
  /** cluster → broker names. */
  readonly clusterAddrTable: Readonly<Record<string, readonly string[]>>;
}

export function encodeClusterInfo(info: ClusterInfo): Buffer {
  const str = stringWriter('standard');
  const brokers = Object.keys(info.brokerAddrTable)
    .sort()
    .map((name) => `${str(name)}:${brokerDataJson(info.brokerAddrTable[name]!, 'standard')}`);
  const json =
    `{"brokerAddrTable":{${brokers.join(',')}},` +
    `"clusterAddrTable":${stringListMapJson(info.clusterAddrTable, str)}}`;
  return Buffer.from(json, 'utf8');
}

export function decodeClusterInfo(body: Uint8Array | undefined): ClusterInfo {
  const o = parseJsonObject(body, 'ClusterInfo');
  const table =
    o.brokerAddrTable === undefined || o.brokerAddrTable === null
      ? {}
      : asObject(o.brokerAddrTable, 'brokerAddrTable');
  const brokerAddrTable: Record<string, BrokerData> = {};
  for (const name of Object.keys(table))
    setEntry(brokerAddrTable, name, parseBrokerData(table[name], `brokerAddrTable.${name}`));
  return { brokerAddrTable, clusterAddrTable: parseStringListMap(o.clusterAddrTable, 'clusterAddrTable') };
}

export interface TopicList {
  readonly topicList: readonly string[];
  /** Set by GET_SYSTEM_TOPIC_LIST_FROM_NS: a broker to ask for its system topics. */
  readonly brokerAddr?: string | undefined;
}

export function encodeTopicList(list: TopicList): Buffer {
  const body: Record<string, unknown> = {};
  if (list.brokerAddr !== undefined) body.brokerAddr = list.brokerAddr;
  body.topicList = list.topicList;
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export function decodeTopicList(body: Uint8Array | undefined): TopicList {
  const o = parseJsonObject(body, 'TopicList');
  const brokerAddr = jsonOptionalString(o, 'brokerAddr');
  return {
    topicList: jsonArray(o, 'topicList', stringItem),
    ...(brokerAddr === undefined ? {} : { brokerAddr }),
  };
}

export interface KvTable {
  readonly table: Readonly<Record<string, string>>;
}

export function encodeKvTable(kv: KvTable): Buffer {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(kv.table).sort()) setEntry(sorted, key, kv.table[key]!);
  return Buffer.from(JSON.stringify({ table: sorted }), 'utf8');
}

export function decodeKvTable(body: Uint8Array | undefined): KvTable {
  const o = parseJsonObject(body, 'KVTable');
  return { table: parseStringMap(o.table, 'table') };
}
