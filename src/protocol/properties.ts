/** RocketMQ's message properties string: name \u0001 value \u0002 ... (MessageDecoder). */
export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';
export const KEY_SEPARATOR = ' ';

/** Property names RocketMQ gives meaning to (MessageConst). */
export const MessageProperty = {
  KEYS: 'KEYS',
  TAGS: 'TAGS',
  WAIT: 'WAIT',
  DELAY: 'DELAY',
  RETRY_TOPIC: 'RETRY_TOPIC',
  REAL_TOPIC: 'REAL_TOPIC',
  REAL_QID: 'REAL_QID',
  TRAN_MSG: 'TRAN_MSG',
  PGROUP: 'PGROUP',
  MIN_OFFSET: 'MIN_OFFSET',
  MAX_OFFSET: 'MAX_OFFSET',
  BUYER_ID: 'BUYER_ID',
  ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  TRANSFER_FLAG: 'TRANSFER_FLAG',
  CORRECTION_FLAG: 'CORRECTION_FLAG',
  MQ2_FLAG: 'MQ2_FLAG',
  RECONSUME_TIME: 'RECONSUME_TIME',
  MSG_REGION: 'MSG_REGION',
  TRACE_ON: 'TRACE_ON',
  UNIQ_KEY: 'UNIQ_KEY',
  MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  CONSUME_START_TIME: 'CONSUME_START_TIME',
  TRAN_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  INSTANCE_ID: 'INSTANCE_ID',
  CORRELATION_ID: 'CORRELATION_ID',
  REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  TTL: 'TTL',
  ARRIVE_TIME: 'ARRIVE_TIME',
  PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  MSG_TYPE: 'MSG_TYPE',
  CLUSTER: 'CLUSTER',
} as const;

export function encodeProperties(
  props: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): string {
  const entries = props instanceof Map ? props.entries() : Object.entries(props);
  const parts: string[] = [];
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    parts.push(`${name}${NAME_VALUE_SEPARATOR}${value}`);
  }
  return parts.join(PROPERTY_SEPARATOR);
}

/** Accepts the trailing \u0002 older clients write and skips empty or malformed segments, as Java does. */
export function decodeProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  if (text.length === 0) return props;
  for (const segment of text.split(PROPERTY_SEPARATOR)) {
    const at = segment.indexOf(NAME_VALUE_SEPARATOR);
    if (at <= 0) continue;
    props.set(segment.slice(0, at), segment.slice(at + 1));
  }
  return props;
}

/**
 * One property's value straight from the encoded string, as `decodeProperties(text).get(name)` would give
 * it (the last occurrence wins), without building the map: reput needs three properties of every record.
 */
export function propertyValue(text: string, name: string): string | undefined {
  let found: string | undefined;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = text.length;
    const at = start + name.length;
    if (at < end && text.charCodeAt(at) === 1 && text.startsWith(name, start)) found = text.slice(at + 1, end);
    start = end + 1;
  }
  return found;
}
