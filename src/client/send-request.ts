import { MQBrokerError } from '../errors.js';
import {
  encodeSendMessageRequestHeaderV2,
  decodeSendMessageResponseHeader,
} from '../protocol/headers/send.js';
import type { ExtFields, RemotingCommand } from '../protocol/remoting-command.js';
import { ResponseCode, isRetriableResponseCode } from '../protocol/response-code.js';
import type { SendResult, SendStatus } from './message.js';
import type { WireMessage } from './message-builder.js';
import { AUTO_CREATE_TOPIC, type PublishInfo } from './publish-info.js';
import type { MessageQueue } from './queue-selector.js';

/** SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE header fields (short V2 names, as RocketMQ's Java client sends). */
export function sendRequestFields(
  producerGroup: string,
  wire: WireMessage,
  queue: MessageQueue,
  info: PublishInfo,
  batch: boolean,
): ExtFields {
  return encodeSendMessageRequestHeaderV2({
    producerGroup,
    topic: wire.topic,
    defaultTopic: AUTO_CREATE_TOPIC,
    defaultTopicQueueNums: info.viaDefaultTopic ? info.queues.length : 4,
    queueId: queue.queueId,
    sysFlag: wire.sysFlag,
    bornTimestamp: Date.now(),
    flag: wire.flag,
    properties: wire.properties,
    reconsumeTimes: 0,
    unitMode: false,
    batch,
  });
}

const STORED_BUT: Readonly<Record<number, SendStatus>> = {
  [ResponseCode.FLUSH_DISK_TIMEOUT]: 'FLUSH_DISK_TIMEOUT',
  [ResponseCode.FLUSH_SLAVE_TIMEOUT]: 'FLUSH_SLAVE_TIMEOUT',
  [ResponseCode.SLAVE_NOT_AVAILABLE]: 'SLAVE_NOT_AVAILABLE',
};

/** SUCCESS and the "stored but not yet durable/replicated" codes give a result; anything else an error. */
export function toSendResult(
  response: RemotingCommand,
  queue: MessageQueue,
  wire: WireMessage,
  address: string,
): SendResult {
  const status: SendStatus | undefined =
    response.code === ResponseCode.SUCCESS ? 'SEND_OK' : STORED_BUT[response.code];
  if (status === undefined) {
    throw new MQBrokerError(response.code, response.remark ?? '', address, {
      retriable: isRetriableResponseCode(response.code),
    });
  }
  const header = decodeSendMessageResponseHeader(response.extFields);
  return {
    status,
    msgId: wire.uniqKey,
    offsetMsgId: header.msgId,
    messageQueue: { ...queue, queueId: header.queueId },
    queueOffset: header.queueOffset,
    ...(header.transactionId === undefined ? {} : { transactionId: header.transactionId }),
  };
}
