import { javaStringHashCode } from '../../protocol/java-hash.js';
import { decodeRecord } from '../../protocol/message-codec.js';
import type { HostAddress, MessageExt, MessageRecordInput } from '../../protocol/message.js';
import { MessageProperty, encodeProperties } from '../../protocol/properties.js';
import { SCHEDULING_PROPERTIES, realTarget } from './schedule-rewrite.js';

/** `message` put again as it was, but for where it goes and its properties. */
function inputOf(
  message: MessageExt,
  storeHost: HostAddress,
  target: { readonly topic: string; readonly queueId: number },
  properties: ReadonlyMap<string, string>,
): MessageRecordInput {
  const tags = properties.get(MessageProperty.TAGS);
  return {
    topic: target.topic,
    queueId: target.queueId,
    flag: message.flag,
    body: message.body,
    properties: encodeProperties(properties),
    sysFlag: message.sysFlag,
    bornTimestamp: message.bornTimestamp,
    bornHost: message.bornHost,
    storeHost,
    reconsumeTimes: message.reconsumeTimes,
    preparedTransactionOffset: message.preparedTransactionOffset,
    tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
  };
}

/** The same waiting message again at the end of the CommitLog, so that retention does not take it. */
export function rollInput(record: Buffer, storeHost: HostAddress): MessageRecordInput {
  const message = decodeRecord(record);
  return inputOf(message, storeHost, message, message.properties);
}

/**
 * The message a due schedule or timer record becomes (RocketMQ's messageTimeup): the same body, flag,
 * born host and time, UNIQ_KEY and reconsume count, on its real topic and queue, without the properties
 * that scheduled it. REAL_TOPIC and REAL_QID stay, as RocketMQ leaves them. Undefined for a record that
 * does not say where it belongs.
 */
export function rePutInput(record: Buffer, storeHost: HostAddress): MessageRecordInput | undefined {
  const message = decodeRecord(record);
  const props = new Map(message.properties);
  const target = realTarget(props);
  if (target === undefined) return undefined;
  for (const name of SCHEDULING_PROPERTIES) props.delete(name);
  return inputOf(message, storeHost, target, props);
}
