import { type MessageRecordInput, SysFlag } from '../../protocol/message.js';
import { MessageIllegalError } from '../../protocol/message-illegal-error.js';
import { MessageProperty, decodeProperties, encodeProperties } from '../../protocol/properties.js';
import { SystemTopic } from '../managers/topic-config.js';
import { clampDelayLevel } from './delay-levels.js';
import { TIMER_TOPIC, TimerProperty } from './timer-properties.js';

export interface ScheduleRewriteOptions {
  readonly levelCount: number;
  /** timerMaxDelaySec in ms: a delivery time further ahead than this is refused. */
  readonly timerMaxDelayMs: number;
  readonly now: number;
}

const isDeliverable = (sysFlag: number): boolean => {
  const tx = sysFlag & SysFlag.TRANSACTION_MASK;
  return tx === SysFlag.TRANSACTION_NOT_TYPE || tx === SysFlag.TRANSACTION_COMMIT_TYPE;
};

const integerProperty = (props: ReadonlyMap<string, string>, name: string): number | undefined => {
  const text = props.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) {
    throw new MessageIllegalError(`property ${name} must be an integer, got "${text}"`);
  }
  return value;
};

/** The delivery time a timer message asks for (RocketMQ 5.x: deliver ms, else delay s, else delay ms). */
function deliverTimeOf(props: ReadonlyMap<string, string>, now: number): number | undefined {
  const at = integerProperty(props, TimerProperty.DELIVER_MS);
  if (at !== undefined) return at;
  const sec = integerProperty(props, TimerProperty.DELAY_SEC);
  if (sec !== undefined) return now + sec * 1000;
  const ms = integerProperty(props, TimerProperty.DELAY_MS);
  return ms === undefined ? undefined : now + ms;
}

const redirected = (
  input: MessageRecordInput,
  props: Map<string, string>,
  topic: string,
  queueId: number,
): MessageRecordInput => {
  props.set(MessageProperty.REAL_TOPIC, input.topic);
  props.set(MessageProperty.REAL_QID, String(input.queueId));
  return { ...input, topic, queueId, properties: encodeProperties(props) };
};

/**
 * What RocketMQ's CommitLog.asyncPutMessage (delay levels) and 5.x's transformTimerMessage (delivery
 * times) do to a message before storing it: a delayed one goes to SCHEDULE_TOPIC_XXXX queue level-1, a
 * timed one to rmq_sys_wheel_timer with TIMER_OUT_MS, each with its real topic and queue in REAL_TOPIC and
 * REAL_QID. Half and rollback records keep their topic; a time already passed is delivered at once.
 */
export function scheduledInput(
  input: MessageRecordInput,
  options: ScheduleRewriteOptions,
): MessageRecordInput {
  const text = input.properties;
  // The hot path: most messages carry neither property, and the string says so without decoding.
  if (!text.includes(MessageProperty.DELAY) && !text.includes('TIMER_')) return input;
  if (!isDeliverable(input.sysFlag)) return input;
  if (input.topic === SystemTopic.SCHEDULE || input.topic === TIMER_TOPIC) return input;
  const props = decodeProperties(text);
  const level = integerProperty(props, MessageProperty.DELAY) ?? 0;
  const deliverAt = deliverTimeOf(props, options.now);
  if (level > 0 && deliverAt !== undefined) {
    throw new MessageIllegalError('a message cannot carry both a delay level and a delivery time');
  }
  if (deliverAt !== undefined) {
    if (deliverAt - options.now > options.timerMaxDelayMs) {
      throw new MessageIllegalError(
        `timer message illegal: delivery time ${deliverAt} is more than timerMaxDelaySec ` +
          `(${options.timerMaxDelayMs / 1000} s) ahead`,
      );
    }
    if (deliverAt <= options.now) return input;
    props.set(TimerProperty.OUT_MS, String(deliverAt));
    return redirected(input, props, TIMER_TOPIC, 0);
  }
  if (level <= 0 || options.levelCount === 0) return input;
  const clamped = clampDelayLevel(level, options.levelCount);
  props.set(MessageProperty.DELAY, String(clamped));
  return redirected(input, props, SystemTopic.SCHEDULE, clamped - 1);
}

/** The CommitLog record's own topic, queue and properties back, once its time has come. */
export function realTarget(
  props: Map<string, string>,
): { readonly topic: string; readonly queueId: number } | undefined {
  const topic = props.get(MessageProperty.REAL_TOPIC);
  const queueId = Number(props.get(MessageProperty.REAL_QID));
  if (topic === undefined || !Number.isInteger(queueId) || queueId < 0) return undefined;
  return { topic, queueId };
}

/** What a re-put drops, so that the delivered message is not scheduled again. */
export const SCHEDULING_PROPERTIES: readonly string[] = [
  MessageProperty.DELAY,
  TimerProperty.DELIVER_MS,
  TimerProperty.DELAY_SEC,
  TimerProperty.DELAY_MS,
  TimerProperty.OUT_MS,
];
