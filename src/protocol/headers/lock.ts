/** LOCK_BATCH_MQ (41) / UNLOCK_BATCH_MQ (42) JSON bodies, and MessageQueue as it appears in JSON. */
import { canonicalJson } from '../fastjson.js';
import {
  asObject,
  encodeJsonBody,
  jsonArray,
  jsonBoolean,
  jsonNumber,
  jsonString,
  parseJsonObject,
} from '../json-body.js';

export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

export function parseMessageQueue(value: unknown, what = 'MessageQueue'): MessageQueue {
  const o = asObject(value, what);
  return {
    topic: jsonString(o, 'topic'),
    brokerName: jsonString(o, 'brokerName'),
    queueId: jsonNumber(o, 'queueId'),
  };
}

/**
 * The string a MessageQueue-keyed fastjson map key parses to (see parseFastJson), usable as a Map key:
 * `{"brokerName":"b","queueId":0,"topic":"t"}`.
 */
export function messageQueueKey(mq: MessageQueue): string {
  return canonicalJson({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic });
}

export interface LockBatchRequestBody {
  readonly consumerGroup: string;
  readonly clientId: string;
  /** Lock only on the receiving broker (Java 4.9.x+); older clients omit it. */
  readonly onlyThisBroker?: boolean | undefined;
  readonly mqSet: readonly MessageQueue[];
}

export type UnlockBatchRequestBody = LockBatchRequestBody;

export interface LockBatchResponseBody {
  readonly lockOKMQSet: readonly MessageQueue[];
}

function parseBatchBody(body: Uint8Array | undefined, what: string): LockBatchRequestBody {
  const o = parseJsonObject(body, what);
  return {
    consumerGroup: jsonString(o, 'consumerGroup'),
    clientId: jsonString(o, 'clientId'),
    onlyThisBroker: jsonBoolean(o, 'onlyThisBroker', false),
    mqSet: jsonArray(o, 'mqSet', parseMessageQueue),
  };
}

function encodeBatchBody(b: LockBatchRequestBody): Buffer {
  return encodeJsonBody({
    consumerGroup: b.consumerGroup,
    clientId: b.clientId,
    ...(b.onlyThisBroker === undefined ? {} : { onlyThisBroker: b.onlyThisBroker }),
    mqSet: b.mqSet.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic })),
  });
}

export function parseLockBatchRequestBody(body: Uint8Array | undefined): LockBatchRequestBody {
  return parseBatchBody(body, 'LockBatchRequestBody');
}

export function encodeLockBatchRequestBody(b: LockBatchRequestBody): Buffer {
  return encodeBatchBody(b);
}

export function parseUnlockBatchRequestBody(body: Uint8Array | undefined): UnlockBatchRequestBody {
  return parseBatchBody(body, 'UnlockBatchRequestBody');
}

export function encodeUnlockBatchRequestBody(b: UnlockBatchRequestBody): Buffer {
  return encodeBatchBody(b);
}

/** A missing body reads as "nothing locked". */
export function parseLockBatchResponseBody(body: Uint8Array | undefined): LockBatchResponseBody {
  if (body === undefined || body.length === 0) return { lockOKMQSet: [] };
  const o = parseJsonObject(body, 'LockBatchResponseBody');
  return { lockOKMQSet: jsonArray(o, 'lockOKMQSet', parseMessageQueue) };
}

export function encodeLockBatchResponseBody(b: LockBatchResponseBody): Buffer {
  return encodeJsonBody({
    lockOKMQSet: b.lockOKMQSet.map((mq) => ({
      brokerName: mq.brokerName,
      queueId: mq.queueId,
      topic: mq.topic,
    })),
  });
}
