/** UPDATE_AND_CREATE_TOPIC (17), DELETE_TOPIC_IN_BROKER (215) / _IN_NAMESRV (216) and the TopicConfig JSON. */
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requiredInt,
  requiredString,
  toExtFields,
} from '../ext-fields.js';
import { asObject, jsonBoolean, jsonNumber, jsonString } from '../json-body.js';
import type { ExtFields } from '../remoting-command.js';

export type TopicFilterType = 'SINGLE_TAG' | 'MULTI_TAG';

/** TopicConfig as it travels in JSON bodies and config files. */
export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  /** PermName bits: 4 read, 2 write, 1 inherit. */
  readonly perm: number;
  readonly topicFilterType: TopicFilterType;
  readonly topicSysFlag: number;
  readonly order: boolean;
}

const filterType = (value: string): TopicFilterType => (value === 'MULTI_TAG' ? 'MULTI_TAG' : 'SINGLE_TAG');

/** A TopicConfig from parsed JSON; missing fields take Java's defaults (16 queues, perm RW). */
export function parseTopicConfig(value: unknown, what = 'TopicConfig'): TopicConfig {
  const o = asObject(value, what);
  return {
    topicName: jsonString(o, 'topicName'),
    readQueueNums: jsonNumber(o, 'readQueueNums', 16),
    writeQueueNums: jsonNumber(o, 'writeQueueNums', 16),
    perm: jsonNumber(o, 'perm', 6),
    topicFilterType: filterType(jsonString(o, 'topicFilterType', 'SINGLE_TAG')),
    topicSysFlag: jsonNumber(o, 'topicSysFlag', 0),
    order: jsonBoolean(o, 'order', false),
  };
}

export interface CreateTopicRequestHeader {
  readonly topic: string;
  readonly defaultTopic: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicFilterType: TopicFilterType;
  readonly topicSysFlag?: number | undefined;
  readonly order: boolean;
}

export function encodeCreateTopicRequestHeader(h: CreateTopicRequestHeader): ExtFields {
  return toExtFields({
    topic: h.topic,
    defaultTopic: h.defaultTopic,
    readQueueNums: h.readQueueNums,
    writeQueueNums: h.writeQueueNums,
    perm: h.perm,
    topicFilterType: h.topicFilterType,
    topicSysFlag: h.topicSysFlag,
    order: h.order,
  });
}

/** `order` and `topicFilterType` default as in Java's field initialisers when an admin tool omits them. */
export function decodeCreateTopicRequestHeader(ext: ExtFields | undefined): CreateTopicRequestHeader {
  return {
    topic: requiredString(ext, 'topic'),
    defaultTopic: requiredString(ext, 'defaultTopic'),
    readQueueNums: requiredInt(ext, 'readQueueNums'),
    writeQueueNums: requiredInt(ext, 'writeQueueNums'),
    perm: requiredInt(ext, 'perm'),
    topicFilterType: filterType(optionalString(ext, 'topicFilterType') ?? 'SINGLE_TAG'),
    topicSysFlag: optionalInt(ext, 'topicSysFlag'),
    order: optionalBoolean(ext, 'order') ?? false,
  };
}

export interface DeleteTopicRequestHeader {
  readonly topic: string;
}

export function encodeDeleteTopicRequestHeader(h: DeleteTopicRequestHeader): ExtFields {
  return toExtFields({ topic: h.topic });
}

export function decodeDeleteTopicRequestHeader(ext: ExtFields | undefined): DeleteTopicRequestHeader {
  return { topic: requiredString(ext, 'topic') };
}
