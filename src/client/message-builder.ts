import { MQClientError } from '../errors.js';
import { encodeBatch } from '../protocol/batch-codec.js';
import { compressBody } from '../protocol/compression.js';
import { SysFlag } from '../protocol/message.js';
import { MessageProperty, encodeProperties } from '../protocol/properties.js';
import { CONTENT_TYPE_PROPERTY, encodeBody } from './body-codec.js';
import type { Message } from './message.js';

/** RocketMQ's client limits: the broker enforces its own too. */
export const MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
export const COMPRESS_OVER = 4096;

/** A message turned into what goes on the wire, built once so that retries resend the same UNIQ_KEY. */
export interface WireMessage {
  readonly topic: string;
  readonly body: Uint8Array;
  readonly properties: string;
  readonly sysFlag: number;
  readonly flag: number;
  readonly uniqKey: string;
}

function propertiesOf(
  message: Message,
  uniqKey: string,
  contentType: string | undefined,
): Map<string, string> {
  const props = new Map<string, string>(Object.entries(message.properties ?? {}));
  if (message.tags !== undefined && message.tags.length > 0) props.set(MessageProperty.TAGS, message.tags);
  if (message.keys !== undefined) {
    const keys = typeof message.keys === 'string' ? message.keys : message.keys.join(' ');
    if (keys.length > 0) props.set(MessageProperty.KEYS, keys);
  }
  if (message.delayLevel !== undefined && message.delayLevel > 0) {
    props.set(MessageProperty.DELAY, String(message.delayLevel));
  }
  const deliverAt = deliverAtMs(message);
  if (deliverAt !== undefined) props.set(TIMER_DELIVER_MS, String(deliverAt));
  if (message.waitStoreMsgOk === false) props.set(MessageProperty.WAIT, 'false');
  if (contentType !== undefined) props.set(CONTENT_TYPE_PROPERTY, contentType);
  props.set(MessageProperty.UNIQ_KEY, uniqKey);
  return props;
}

/** RocketMQ 5.x's MessageConst.PROPERTY_TIMER_DELIVER_MS. */
const TIMER_DELIVER_MS = 'TIMER_DELIVER_MS';

const deliverAtMs = (message: Message): number | undefined =>
  message.deliverAt instanceof Date ? message.deliverAt.getTime() : message.deliverAt;

export function validateMessage(message: Message): void {
  if (typeof message.topic !== 'string' || message.topic.length === 0) {
    throw new MQClientError('ERR_BAD_MESSAGE', 'message topic is empty');
  }
  if (message.delayLevel !== undefined && (!Number.isInteger(message.delayLevel) || message.delayLevel < 0)) {
    throw new MQClientError(
      'ERR_BAD_MESSAGE',
      `delayLevel must be a non-negative integer, got ${message.delayLevel}`,
    );
  }
  const deliverAt = deliverAtMs(message);
  if (deliverAt !== undefined && (!Number.isSafeInteger(deliverAt) || deliverAt < 0)) {
    throw new MQClientError(
      'ERR_BAD_MESSAGE',
      `deliverAt must be a time in epoch milliseconds, got ${String(message.deliverAt)}`,
    );
  }
  if (deliverAt !== undefined && (message.delayLevel ?? 0) > 0) {
    throw new MQClientError('ERR_BAD_MESSAGE', 'a message takes a delayLevel or a deliverAt, not both');
  }
}

/** Encodes the body, compresses it when large (zlib, as RocketMQ's client does above 4 KiB), adds properties. */
export function buildWireMessage(message: Message, uniqKey: string): WireMessage {
  validateMessage(message);
  const { bytes, contentType } = encodeBody(message.body);
  let body = bytes;
  let sysFlag = 0;
  if (body.length > COMPRESS_OVER) {
    body = compressBody(body);
    sysFlag |= SysFlag.COMPRESSED | SysFlag.COMPRESSION_ZLIB;
  }
  // As RocketMQ's client marks a transaction's half message, for brokers that look at the flag.
  if (message.properties?.[MessageProperty.TRAN_MSG] === 'true') sysFlag |= SysFlag.TRANSACTION_PREPARED_TYPE;
  if (body.length > MAX_MESSAGE_SIZE) {
    throw new MQClientError(
      'ERR_MESSAGE_TOO_LARGE',
      `message body of ${body.length} bytes exceeds ${MAX_MESSAGE_SIZE}`,
      13,
    );
  }
  return {
    topic: message.topic,
    body,
    properties: encodeProperties(propertiesOf(message, uniqKey, contentType)),
    sysFlag,
    flag: message.flag ?? 0,
    uniqKey,
  };
}

/** A batch travels as one body of inner records; RocketMQ refuses delay levels and mixed topics in one. */
export function buildBatch(
  messages: readonly Message[],
  nextUniqKey: () => string,
): { wire: WireMessage; uniqKeys: string[] } {
  const first = messages[0];
  if (first === undefined) throw new MQClientError('ERR_BAD_MESSAGE', 'a batch needs at least one message');
  const uniqKeys: string[] = [];
  const entries = messages.map((m) => {
    if (m.topic !== first.topic)
      throw new MQClientError('ERR_BAD_MESSAGE', 'all messages of a batch must share a topic');
    if (m.delayLevel !== undefined && m.delayLevel > 0) {
      throw new MQClientError('ERR_BAD_MESSAGE', 'batch messages cannot have a delay level');
    }
    if (m.deliverAt !== undefined) {
      throw new MQClientError('ERR_BAD_MESSAGE', 'batch messages cannot have a delivery time');
    }
    validateMessage(m);
    const uniqKey = nextUniqKey();
    uniqKeys.push(uniqKey);
    const { bytes, contentType } = encodeBody(m.body);
    return {
      flag: m.flag ?? 0,
      body: bytes,
      properties: encodeProperties(propertiesOf(m, uniqKey, contentType)),
    };
  });
  const body = encodeBatch(entries);
  if (body.length > MAX_MESSAGE_SIZE) {
    throw new MQClientError(
      'ERR_MESSAGE_TOO_LARGE',
      `batch of ${body.length} bytes exceeds ${MAX_MESSAGE_SIZE}`,
      13,
    );
  }
  return {
    wire: { topic: first.topic, body, properties: '', sysFlag: 0, flag: 0, uniqKey: uniqKeys.join(',') },
    uniqKeys,
  };
}
