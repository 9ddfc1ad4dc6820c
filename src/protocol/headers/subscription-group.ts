/**
 * SubscriptionGroupConfig (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body, subscriptionGroup.json entries) and
 * DELETE_SUBSCRIPTIONGROUP (207).
 */
import { optionalBoolean, requiredString, toExtFields } from '../ext-fields.js';
import {
  asObject,
  encodeJsonBody,
  jsonBoolean,
  jsonNumber,
  jsonString,
  parseJsonObject,
} from '../json-body.js';
import type { ExtFields } from '../remoting-command.js';

export interface SubscriptionGroupConfig {
  readonly groupName: string;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly consumeBroadcastEnable: boolean;
  readonly retryQueueNums: number;
  /** Deliveries before a message goes to the DLQ. */
  readonly retryMaxTimes: number;
  readonly brokerId: number;
  readonly whichBrokerWhenConsumeSlowly: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
}

export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
  };
}

/** From parsed JSON; each missing field takes its Java default. */
export function parseSubscriptionGroupConfig(
  value: unknown,
  what = 'SubscriptionGroupConfig',
): SubscriptionGroupConfig {
  const o = asObject(value, what);
  const d = defaultSubscriptionGroupConfig(jsonString(o, 'groupName'));
  return {
    groupName: d.groupName,
    consumeEnable: jsonBoolean(o, 'consumeEnable', d.consumeEnable),
    consumeFromMinEnable: jsonBoolean(o, 'consumeFromMinEnable', d.consumeFromMinEnable),
    consumeBroadcastEnable: jsonBoolean(o, 'consumeBroadcastEnable', d.consumeBroadcastEnable),
    retryQueueNums: jsonNumber(o, 'retryQueueNums', d.retryQueueNums),
    retryMaxTimes: jsonNumber(o, 'retryMaxTimes', d.retryMaxTimes),
    brokerId: jsonNumber(o, 'brokerId', d.brokerId),
    whichBrokerWhenConsumeSlowly: jsonNumber(
      o,
      'whichBrokerWhenConsumeSlowly',
      d.whichBrokerWhenConsumeSlowly,
    ),
    notifyConsumerIdsChangedEnable: jsonBoolean(
      o,
      'notifyConsumerIdsChangedEnable',
      d.notifyConsumerIdsChangedEnable,
    ),
  };
}

export function parseSubscriptionGroupConfigBody(body: Uint8Array | undefined): SubscriptionGroupConfig {
  return parseSubscriptionGroupConfig(parseJsonObject(body, 'SubscriptionGroupConfig'));
}

/** Fields in fastjson's alphabetical order. */
export function encodeSubscriptionGroupConfig(c: SubscriptionGroupConfig): Buffer {
  return encodeJsonBody({
    brokerId: c.brokerId,
    consumeBroadcastEnable: c.consumeBroadcastEnable,
    consumeEnable: c.consumeEnable,
    consumeFromMinEnable: c.consumeFromMinEnable,
    groupName: c.groupName,
    notifyConsumerIdsChangedEnable: c.notifyConsumerIdsChangedEnable,
    retryMaxTimes: c.retryMaxTimes,
    retryQueueNums: c.retryQueueNums,
    whichBrokerWhenConsumeSlowly: c.whichBrokerWhenConsumeSlowly,
  });
}

export interface DeleteSubscriptionGroupRequestHeader {
  readonly groupName: string;
  readonly removeOffset: boolean;
}

export function encodeDeleteSubscriptionGroupRequestHeader(
  h: DeleteSubscriptionGroupRequestHeader,
): ExtFields {
  return toExtFields({ groupName: h.groupName, removeOffset: h.removeOffset });
}

export function decodeDeleteSubscriptionGroupRequestHeader(
  ext: ExtFields | undefined,
): DeleteSubscriptionGroupRequestHeader {
  return {
    groupName: requiredString(ext, 'groupName'),
    removeOffset: optionalBoolean(ext, 'removeOffset') ?? false,
  };
}
