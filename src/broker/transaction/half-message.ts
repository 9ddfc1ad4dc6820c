/**
 * The records of a transaction as RocketMQ's TransactionalMessageBridge and EndTransactionProcessor build
 * them: the half message parked on RMQ_SYS_TRANS_HALF_TOPIC, its renewed copies, the committed message on
 * the real topic, and the op record that marks a half as finished.
 */
import { javaStringHashCode } from '../../protocol/java-hash.js';
import {
  type HostAddress,
  type MessageExt,
  type MessageRecordInput,
  SysFlag,
} from '../../protocol/message.js';
import {
  MessageProperty,
  decodeProperties,
  encodeProperties,
  propertyValue,
} from '../../protocol/properties.js';
import { SystemTopic } from '../managers/topic-config.js';
import { TimerProperty } from '../schedule/timer-properties.js';

/** The system consumer group whose offsets on the half and op queues are the check service's progress. */
export const TRANSACTION_SYSTEM_GROUP = 'CID_RMQ_SYS_TRANS';
/** RocketMQ 4.x keeps every half message in queue 0 of the half topic, and its op records in queue 0 too. */
export const HALF_QUEUE_ID = 0;
/** The tag of op records (RocketMQ's TransactionalMessageUtil.REMOVETAG). */
export const OP_REMOVE_TAG = 'd';

const withTransactionType = (sysFlag: number, type: number): number =>
  (sysFlag & ~SysFlag.TRANSACTION_MASK) | type;

const tagsCodeOf = (props: ReadonlyMap<string, string>): number => {
  const tags = props.get(MessageProperty.TAGS);
  return tags === undefined ? 0 : javaStringHashCode(tags);
};

/**
 * Why a transactional send cannot be parked as it came, or undefined. A delay would send the half itself
 * through the schedule topics, which keep only one REAL_TOPIC: the half would come back without its real
 * topic. RocketMQ's client strips the delay, so only hand-made requests are refused.
 */
export function halfRefusal(properties: string): string | undefined {
  const level = Number(propertyValue(properties, MessageProperty.DELAY) ?? 0);
  if (level > 0) return 'a transactional message cannot have a delay level';
  const timed = [TimerProperty.DELIVER_MS, TimerProperty.DELAY_SEC, TimerProperty.DELAY_MS].some(
    (name) => propertyValue(properties, name) !== undefined,
  );
  return timed ? 'a transactional message cannot have a delivery time' : undefined;
}

/**
 * A send of a transactional message, parked: the real topic and queue move into REAL_TOPIC/REAL_QID and the
 * record is stored as a plain message of the half topic, so no consumer of the real topic sees it.
 */
export function toHalfInput(input: MessageRecordInput): MessageRecordInput {
  const props = decodeProperties(input.properties);
  props.set(MessageProperty.REAL_TOPIC, input.topic);
  props.set(MessageProperty.REAL_QID, String(input.queueId));
  // Broker bookkeeping: a producer cannot pre-set which transaction its half belongs to.
  props.delete(MessageProperty.TRAN_PREPARED_QUEUE_OFFSET);
  props.delete(MessageProperty.TRANSACTION_CHECK_TIMES);
  return {
    ...input,
    topic: SystemTopic.TRANS_HALF,
    queueId: HALF_QUEUE_ID,
    properties: encodeProperties(props),
    sysFlag: withTransactionType(input.sysFlag, SysFlag.TRANSACTION_NOT_TYPE),
  };
}

/**
 * The queue offset of the first half of this transaction. Every renewed copy carries it, and op records
 * name it, so that finishing any copy finishes them all.
 */
export function originOf(half: MessageExt): number {
  const carried = Number(half.properties.get(MessageProperty.TRAN_PREPARED_QUEUE_OFFSET));
  return Number.isSafeInteger(carried) && carried >= 0 ? carried : half.queueOffset;
}

export function checkTimesOf(half: MessageExt): number {
  const times = Number(half.properties.get(MessageProperty.TRANSACTION_CHECK_TIMES) ?? 0);
  return Number.isSafeInteger(times) && times >= 0 ? times : 0;
}

/** CHECK_IMMUNITY_TIME_IN_SECONDS in ms, or undefined when the producer set none (or nonsense). */
export function immunityMsOf(half: MessageExt): number | undefined {
  const seconds = Number(half.properties.get(MessageProperty.CHECK_IMMUNITY_TIME_IN_SECONDS));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Where the producer wanted the message: REAL_TOPIC/REAL_QID of a half. */
export function realDestinationOf(half: MessageExt): { topic: string; queueId: number } | undefined {
  const topic = half.properties.get(MessageProperty.REAL_TOPIC);
  const queueId = Number(half.properties.get(MessageProperty.REAL_QID));
  if (topic === undefined || topic === '' || !Number.isSafeInteger(queueId) || queueId < 0) return undefined;
  return { topic, queueId };
}

/** A half stored again at the end of the half queue, its born time kept so that its age keeps counting. */
export function renewedHalfInput(
  half: MessageExt,
  checkTimes: number,
  storeHost: HostAddress,
): MessageRecordInput {
  const props = new Map(half.properties);
  props.set(MessageProperty.TRANSACTION_CHECK_TIMES, String(checkTimes));
  props.set(MessageProperty.TRAN_PREPARED_QUEUE_OFFSET, String(originOf(half)));
  return {
    topic: SystemTopic.TRANS_HALF,
    queueId: HALF_QUEUE_ID,
    flag: half.flag,
    body: half.body,
    properties: encodeProperties(props),
    sysFlag: half.sysFlag,
    bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost,
    storeHost,
    reconsumeTimes: half.reconsumeTimes,
    preparedTransactionOffset: 0,
    tagsCode: tagsCodeOf(props),
  };
}

/**
 * The committed message: the half's body and properties on its real topic and queue, TRAN_MSG, REAL_TOPIC
 * and REAL_QID dropped, the COMMIT sysFlag set and the half's CommitLog offset recorded.
 */
export function committedInput(
  half: MessageExt,
  destination: { topic: string; queueId: number },
  storeHost: HostAddress,
): MessageRecordInput {
  const props = new Map(half.properties);
  props.delete(MessageProperty.REAL_TOPIC);
  props.delete(MessageProperty.REAL_QID);
  props.delete(MessageProperty.TRAN_MSG);
  return {
    topic: destination.topic,
    queueId: destination.queueId,
    flag: half.flag,
    body: half.body,
    properties: encodeProperties(props),
    sysFlag: withTransactionType(half.sysFlag, SysFlag.TRANSACTION_COMMIT_TYPE),
    bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost,
    storeHost,
    reconsumeTimes: half.reconsumeTimes,
    preparedTransactionOffset: half.commitLogOffset,
    tagsCode: tagsCodeOf(props),
  };
}

/** The op record finishing a transaction: tag "d", body = the origin half's queue offset in decimal. */
export function opInput(origin: number, storeHost: HostAddress, now: number): MessageRecordInput {
  const props = new Map([[MessageProperty.TAGS, OP_REMOVE_TAG]]);
  return {
    topic: SystemTopic.TRANS_OP_HALF,
    queueId: HALF_QUEUE_ID,
    flag: 0,
    body: Buffer.from(String(origin)),
    properties: encodeProperties(props),
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: storeHost,
    storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsCodeOf(props),
  };
}

/** The half offset an op record names, or undefined for a record that is not one of ours. */
export function opOriginOf(op: MessageExt): number | undefined {
  if (op.properties.get(MessageProperty.TAGS) !== OP_REMOVE_TAG) return undefined;
  const origin = Number(Buffer.from(op.body).toString());
  return Number.isSafeInteger(origin) && origin >= 0 ? origin : undefined;
}

/** A record sent to the producer in CHECK_TRANSACTION_STATE: the half as the producer sent it. */
export function checkedMessageInput(
  half: MessageRecordInput,
  destination: { topic: string; queueId: number },
): MessageRecordInput {
  return { ...half, topic: destination.topic, queueId: destination.queueId };
}

/** The discarded half kept for people on TRANS_CHECK_MAX_TIME_TOPIC, as RocketMQ keeps it. */
export function discardedInput(half: MessageExt, storeHost: HostAddress): MessageRecordInput {
  return {
    ...renewedHalfInput(half, checkTimesOf(half), storeHost),
    topic: SystemTopic.TRANS_CHECK_MAX_TIME,
  };
}
