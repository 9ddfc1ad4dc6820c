/**
 * REGISTER_BROKER's body, RegisterBrokerBody, in both of RocketMQ's forms. Plain: JSON
 * `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{..},"topicConfigTable":{..}}}`.
 * Compressed (broker `compressedRegister=true`): a zlib stream of big-endian length-prefixed parts: the
 * DataVersion JSON, the topic count, each topic as "name read write perm filterType" (RocketMQ 5 appends
 * attributes JSON as a sixth field), then the filter server list JSON. The compressed form carries neither
 * topicSysFlag nor order, so they read back as 0 and false, as in Java.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { BadRequestError } from '../bad-request-error.js';
import { asObject, jsonArray, parseJsonObject, stringItem } from '../json-body.js';
import { parseFastJson } from '../fastjson.js';
import { type DataVersion, dataVersionJson, parseDataVersion, setEntry } from './namesrv-bodies.js';
import { type TopicConfig, type TopicFilterType, parseTopicConfig } from './topic-admin.js';

export interface TopicConfigSerializeWrapper {
  readonly topicConfigTable: Readonly<Record<string, TopicConfig>>;
  readonly dataVersion: DataVersion;
}

export interface RegisterBrokerBody {
  readonly topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  readonly filterServerList: readonly string[];
}

/** RocketMQ's UtilAll.crc32: CRC32 masked to a non-negative int, the value of `bodyCrc32`. */
export const maskedCrc32 = (bytes: Uint8Array): number => crc32(bytes) & 0x7fffffff;

export function topicConfigSerializeWrapperJson(w: TopicConfigSerializeWrapper): string {
  const topics = Object.keys(w.topicConfigTable).map(
    (name) => `${JSON.stringify(name)}:${JSON.stringify(w.topicConfigTable[name])}`,
  );
  return `{"dataVersion":${dataVersionJson(w.dataVersion)},"topicConfigTable":{${topics.join(',')}}}`;
}

export function parseTopicConfigSerializeWrapper(value: unknown): TopicConfigSerializeWrapper {
  const o = asObject(value, 'TopicConfigSerializeWrapper');
  const table =
    o.topicConfigTable === undefined || o.topicConfigTable === null
      ? {}
      : asObject(o.topicConfigTable, 'topicConfigTable');
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (const name of Object.keys(table)) {
    const config = asObject(table[name], `topicConfigTable.${name}`);
    setEntry(
      topicConfigTable,
      name,
      parseTopicConfig({ topicName: name, ...config }, `topicConfigTable.${name}`),
    );
  }
  const dataVersion =
    o.dataVersion === undefined || o.dataVersion === null
      ? { timestamp: 0, counter: 0 }
      : parseDataVersion(o.dataVersion);
  return { topicConfigTable, dataVersion };
}

export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed: boolean): Buffer {
  if (compressed) return encodeCompressed(body);
  const json =
    `{"filterServerList":${JSON.stringify(body.filterServerList)},` +
    `"topicConfigSerializeWrapper":${topicConfigSerializeWrapperJson(body.topicConfigSerializeWrapper)}}`;
  return Buffer.from(json, 'utf8');
}

export function decodeRegisterBrokerBody(bytes: Uint8Array, compressed: boolean): RegisterBrokerBody {
  if (compressed) return decodeCompressed(bytes);
  const o = parseJsonObject(bytes, 'RegisterBrokerBody');
  return {
    topicConfigSerializeWrapper: parseTopicConfigSerializeWrapper(o.topicConfigSerializeWrapper ?? {}),
    filterServerList: jsonArray(o, 'filterServerList', stringItem),
  };
}

function encodeCompressed(body: RegisterBrokerBody): Buffer {
  const parts: Buffer[] = [];
  const int = (n: number): void => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n);
    parts.push(b);
  };
  const text = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    int(b.length);
    parts.push(b);
  };
  const wrapper = body.topicConfigSerializeWrapper;
  text(dataVersionJson(wrapper.dataVersion));
  const topics = Object.values(wrapper.topicConfigTable);
  int(topics.length);
  for (const t of topics)
    text(`${t.topicName} ${t.readQueueNums} ${t.writeQueueNums} ${t.perm} ${t.topicFilterType}`);
  text(JSON.stringify(body.filterServerList));
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

class CompressedReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  int(what: string): number {
    if (this.pos + 4 > this.buf.length) throw bad(`truncated before ${what}`);
    const n = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  text(what: string): string {
    const len = this.int(`${what} length`);
    if (len < 0 || this.pos + len > this.buf.length) throw bad(`bad ${what} length ${len}`);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

const bad = (detail: string): BadRequestError =>
  new BadRequestError(`Failed to decode RegisterBrokerBody: ${detail}`);

const INT = /^-?\d+$/;

function parseTopicLine(line: string): TopicConfig {
  const fields = line.split(' ');
  const [topicName, read, write, perm, filterType] = fields;
  if (fields.length < 5 || !topicName || !INT.test(read!) || !INT.test(write!) || !INT.test(perm!))
    throw bad(`bad topic entry "${line}"`);
  if (filterType !== 'SINGLE_TAG' && filterType !== 'MULTI_TAG') throw bad(`bad topic filter type "${line}"`);
  return {
    topicName,
    readQueueNums: Number(read),
    writeQueueNums: Number(write),
    perm: Number(perm),
    topicFilterType: filterType satisfies TopicFilterType,
    topicSysFlag: 0,
    order: false,
  };
}

function decodeCompressed(bytes: Uint8Array): RegisterBrokerBody {
  let raw: Buffer;
  try {
    raw = inflateSync(bytes);
  } catch (cause) {
    throw bad(`not a zlib stream (${(cause as Error).message})`);
  }
  const reader = new CompressedReader(raw);
  const dataVersion = parseDataVersion(parseJson(reader.text('dataVersion')), 'dataVersion');
  const count = reader.int('topic count');
  if (count < 0) throw bad(`bad topic count ${count}`);
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (let i = 0; i < count; i++) {
    const config = parseTopicLine(reader.text('topic config'));
    setEntry(topicConfigTable, config.topicName, config);
  }
  const filterServers = parseJson(reader.text('filterServerList'));
  const filterServerList =
    filterServers === null
      ? []
      : jsonArray({ filterServerList: filterServers }, 'filterServerList', stringItem);
  return { topicConfigSerializeWrapper: { topicConfigTable, dataVersion }, filterServerList };
}

function parseJson(text: string): unknown {
  try {
    return parseFastJson(text);
  } catch (cause) {
    throw bad((cause as Error).message);
  }
}
