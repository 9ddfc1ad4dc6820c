/** QUERY_CONSUMER_OFFSET (14) and UPDATE_CONSUMER_OFFSET (15). */
import { requiredLong, requiredNonNegativeInt, requiredString, toExtFields } from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

export interface QueryConsumerOffsetRequestHeader {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly queueId: number;
}

export function encodeQueryConsumerOffsetRequestHeader(h: QueryConsumerOffsetRequestHeader): ExtFields {
  return toExtFields({ consumerGroup: h.consumerGroup, topic: h.topic, queueId: h.queueId });
}

export function decodeQueryConsumerOffsetRequestHeader(
  ext: ExtFields | undefined,
): QueryConsumerOffsetRequestHeader {
  return {
    consumerGroup: requiredString(ext, 'consumerGroup'),
    topic: requiredString(ext, 'topic'),
    queueId: requiredNonNegativeInt(ext, 'queueId'),
  };
}

export interface QueryConsumerOffsetResponseHeader {
  readonly offset: number;
}

export function encodeQueryConsumerOffsetResponseHeader(h: QueryConsumerOffsetResponseHeader): ExtFields {
  return toExtFields({ offset: h.offset });
}

export function decodeQueryConsumerOffsetResponseHeader(
  ext: ExtFields | undefined,
): QueryConsumerOffsetResponseHeader {
  return { offset: requiredLong(ext, 'offset') };
}

export interface UpdateConsumerOffsetRequestHeader {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  /** -1 from some clients means "nothing to commit" and is ignored by the broker. */
  readonly commitOffset: number;
}

export function encodeUpdateConsumerOffsetRequestHeader(h: UpdateConsumerOffsetRequestHeader): ExtFields {
  return toExtFields({
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: h.queueId,
    commitOffset: h.commitOffset,
  });
}

export function decodeUpdateConsumerOffsetRequestHeader(
  ext: ExtFields | undefined,
): UpdateConsumerOffsetRequestHeader {
  return {
    consumerGroup: requiredString(ext, 'consumerGroup'),
    topic: requiredString(ext, 'topic'),
    queueId: requiredNonNegativeInt(ext, 'queueId'),
    commitOffset: requiredLong(ext, 'commitOffset'),
  };
}
