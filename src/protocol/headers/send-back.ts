/** CONSUMER_SEND_MSG_BACK (36): a consumer hands a message it failed to consume back for retry or DLQ. */
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requiredInt,
  requiredLong,
  requiredString,
  toExtFields,
} from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

export interface ConsumerSendMsgBackRequestHeader {
  /** CommitLog physical offset of the failed message. */
  readonly offset: number;
  readonly group: string;
  /** 0: the broker picks (3 + reconsumeTimes); -1: straight to the DLQ. */
  readonly delayLevel: number;
  readonly originMsgId?: string | undefined;
  readonly originTopic?: string | undefined;
  readonly unitMode: boolean;
  readonly maxReconsumeTimes?: number | undefined;
}

export function encodeConsumerSendMsgBackRequestHeader(h: ConsumerSendMsgBackRequestHeader): ExtFields {
  return toExtFields({
    offset: h.offset,
    group: h.group,
    delayLevel: h.delayLevel,
    originMsgId: h.originMsgId,
    originTopic: h.originTopic,
    unitMode: h.unitMode,
    maxReconsumeTimes: h.maxReconsumeTimes,
  });
}

export function decodeConsumerSendMsgBackRequestHeader(
  ext: ExtFields | undefined,
): ConsumerSendMsgBackRequestHeader {
  return {
    offset: requiredLong(ext, 'offset'),
    group: requiredString(ext, 'group'),
    delayLevel: requiredInt(ext, 'delayLevel'),
    originMsgId: optionalString(ext, 'originMsgId'),
    originTopic: optionalString(ext, 'originTopic'),
    unitMode: optionalBoolean(ext, 'unitMode') ?? false,
    maxReconsumeTimes: optionalInt(ext, 'maxReconsumeTimes'),
  };
}
