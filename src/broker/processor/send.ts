/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): RocketMQ's SendMessageProcessor.
 * Checks the send (sizes, topic, permission, queue), builds the records as RocketMQ's broker would (born
 * host = the producer's address, store host = ours, CLUSTER added, tags hashed), diverts exhausted retries
 * to the DLQ, stores them and answers with the offset msgId, queue and queue offset.
 */
import type { Logger } from '../../logger.js';
import {
  type SendMessageRequestHeader,
  decodeSendMessageRequestHeader,
} from '../../protocol/headers/send.js';
import { javaStringHashCode } from '../../protocol/java-hash.js';
import { MAX_PROPERTIES_BYTES } from '../../protocol/message-codec.js';
import { type HostAddress, type MessageRecordInput, SysFlag } from '../../protocol/message.js';
import {
  MessageProperty,
  decodeProperties,
  encodeProperties,
  propertyValue,
} from '../../protocol/properties.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { parseHostAddress } from '../../remoting/address.js';
import type { Channel, RequestProcessor } from '../../remoting/channel.js';
import type { BrokerConfig } from '../config.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { RETRY_GROUP_TOPIC_PREFIX } from '../managers/topic-config.js';
import type { PutOptions, PutResult } from '../store/message-store.js';
import { halfRefusal, toHalfInput } from '../transaction/half-message.js';
import { ArrivalOrder, type Turn } from './arrival-order.js';
import { DLQ_PERM, DLQ_QUEUE_NUMS, dlqDiversion, isRetryTopic } from './retry-dlq.js';
import { batchInputs } from './send-batch.js';
import { isCheckFailure, checkSend } from './send-check.js';
import { messageIllegalRemark, refusedResponse, storedResponse } from './send-response.js';
import { storedProperties } from './stored-properties.js';

export interface SendProcessorDeps {
  readonly config: Pick<
    BrokerConfig,
    | 'brokerName'
    | 'brokerClusterName'
    | 'brokerIP1'
    | 'brokerPermission'
    | 'maxMessageSize'
    | 'rejectTransactionMessage'
  >;
  /** Our announced address: every record's store host and every offset msgId's. */
  readonly storeHost: HostAddress;
  readonly topics: TopicConfigManager;
  readonly groups: SubscriptionGroupManager;
  /** The store's putBatch: one record or a batch, appended in call order. */
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly nextUniqKey: () => string;
  readonly logger: Logger;
}

/** MQVersion.V3_4_9: from this client version on, a retry's header carries its own maxReconsumeTimes. */
const V3_4_9 = 121;
const EMPTY_BODY = new Uint8Array(0);

type Prepared =
  | { readonly inputs: readonly MessageRecordInput[]; readonly queueId: number; readonly wait: boolean }
  | RemotingCommand;

const isResponse = (p: object): p is RemotingCommand => 'code' in p;

/** Java's Boolean.parseBoolean on WAIT, absent meaning true. */
const waitFor = (properties: string): boolean => {
  const wait = propertyValue(properties, MessageProperty.WAIT);
  return wait === undefined || wait.toLowerCase() === 'true';
};

export function createSendProcessor(deps: SendProcessorDeps): RequestProcessor {
  const order = new ArrivalOrder();
  const bornHosts = new WeakMap<Channel, HostAddress>();
  const bornHostOf = (channel: Channel): HostAddress => {
    let host = bornHosts.get(channel);
    if (host === undefined) {
      host = parseHostAddress(channel.remoteAddress);
      bornHosts.set(channel, host);
    }
    return host;
  };

  const send = async (request: RemotingCommand, channel: Channel, turn: Turn): Promise<RemotingCommand> => {
    const header = decodeSendMessageRequestHeader(request.code, request.extFields);
    const batch = request.code === RequestCode.SEND_BATCH_MESSAGE || header.batch === true;
    const prepared = await prepare(request, header, batch, bornHostOf(channel));
    if (isResponse(prepared)) return prepared;
    try {
      const result = await turn.run(() => deps.put(prepared.inputs, { waitStoreMsgOK: prepared.wait }));
      return storedResponse(request, result, prepared.queueId, deps.storeHost);
    } catch (error) {
      return refusedResponse(request, error, deps.logger, {
        topic: header.topic,
        producer: channel.remoteAddress,
      });
    }
  };

  const prepare = async (
    request: RemotingCommand,
    header: SendMessageRequestHeader,
    batch: boolean,
    bornHost: HostAddress,
  ): Promise<Prepared> => {
    const { config } = deps;
    const body = request.body ?? EMPTY_BODY;
    const properties = header.properties ?? '';
    const illegal = (remark: string): RemotingCommand =>
      createResponse(request, ResponseCode.MESSAGE_ILLEGAL, { remark });
    if (body.length > config.maxMessageSize || Buffer.byteLength(properties) > MAX_PROPERTIES_BYTES) {
      return illegal(messageIllegalRemark(config.maxMessageSize));
    }
    const checked = await checkSend(deps.topics, {
      topic: header.topic,
      defaultTopic: header.defaultTopic,
      defaultTopicQueueNums: header.defaultTopicQueueNums,
      queueId: header.queueId,
      topicSysFlag: 0,
      brokerPermission: config.brokerPermission,
      brokerName: config.brokerName,
      producerGroup: header.producerGroup,
    });
    if (isCheckFailure(checked)) return createResponse(request, checked.code, { remark: checked.remark });
    const queueId = header.queueId < 0 ? Math.floor(Math.random() * checked.writeQueueNums) : header.queueId;
    const sysFlag =
      checked.topicFilterType === 'MULTI_TAG' ? header.sysFlag | SysFlag.MULTI_TAGS : header.sysFlag;

    if (batch) {
      if (isRetryTopic(header.topic))
        return illegal(`batch request does not support retry group ${header.topic}`);
      const batchProps = decodeProperties(properties);
      batchProps.set(MessageProperty.CLUSTER, config.brokerClusterName);
      const built = batchInputs(body, {
        topic: header.topic,
        queueId,
        sysFlag,
        bornTimestamp: header.bornTimestamp,
        bornHost,
        storeHost: deps.storeHost,
        reconsumeTimes: header.reconsumeTimes ?? 0,
        properties: batchProps,
        nextUniqKey: deps.nextUniqKey,
      });
      if ('refused' in built) return illegal(built.refused);
      return { inputs: built.inputs, queueId, wait: waitFor(properties) };
    }

    const half =
      propertyValue(properties, MessageProperty.TRAN_MSG)?.toLowerCase() === 'true' ||
      (sysFlag & SysFlag.TRANSACTION_MASK) === SysFlag.TRANSACTION_PREPARED_TYPE;
    if (half && config.rejectTransactionMessage) {
      return createResponse(request, ResponseCode.NO_PERMISSION, {
        remark: `the broker[${config.brokerIP1}] sending transaction message is forbidden`,
      });
    }
    const halfRefused = half ? halfRefusal(properties) : undefined;
    if (halfRefused !== undefined) return illegal(halfRefused);
    let target = { topic: header.topic, queueId, properties };
    if (isRetryTopic(header.topic)) {
      const diverted = await divertExhaustedRetry(request, header, properties);
      if (diverted !== undefined && isResponse(diverted)) return diverted;
      target = diverted ?? target;
    }
    const tags = propertyValue(target.properties, MessageProperty.TAGS);
    // Listed in MessageRecordInput's order, no spread: one object shape on the hot path.
    const input: MessageRecordInput = {
      topic: target.topic,
      queueId: target.queueId,
      flag: header.flag,
      body,
      properties: storedProperties(target.properties, config.brokerClusterName, deps.nextUniqKey),
      sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      storeHost: deps.storeHost,
      reconsumeTimes: header.reconsumeTimes ?? 0,
      preparedTransactionOffset: 0,
      tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
    };
    return {
      inputs: [half ? toHalfInput(input) : input],
      queueId: target.queueId,
      wait: waitFor(properties),
    };
  };

  /**
   * RocketMQ's handleRetryAndDLQ: a message resent to %RETRY%group after as many deliveries as the group
   * (or, from clients ≥ 3.4.9, the header) allows goes to %DLQ%group instead, undelayed.
   */
  const divertExhaustedRetry = async (
    request: RemotingCommand,
    header: SendMessageRequestHeader,
    properties: string,
  ): Promise<{ topic: string; queueId: number; properties: string } | RemotingCommand | undefined> => {
    const group = header.topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const groupConfig = await deps.groups.findOrCreate(group);
    if (groupConfig === undefined) {
      return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, {
        remark: `subscription group not exist, ${group}`,
      });
    }
    const maxReconsumeTimes =
      request.version >= V3_4_9 && header.maxReconsumeTimes !== undefined
        ? header.maxReconsumeTimes
        : groupConfig.retryMaxTimes;
    const dlq = dlqDiversion(header.topic, header.reconsumeTimes ?? 0, maxReconsumeTimes);
    if (dlq === undefined) return undefined;
    await deps.topics.ensure(dlq, DLQ_QUEUE_NUMS, DLQ_PERM);
    const props = decodeProperties(properties);
    props.delete(MessageProperty.DELAY);
    deps.logger.info(
      { group, topic: dlq, reconsumeTimes: header.reconsumeTimes },
      'retry exhausted, sent to the DLQ',
    );
    return {
      topic: dlq,
      queueId: Math.floor(Math.random() * DLQ_QUEUE_NUMS),
      properties: encodeProperties(props),
    };
  };

  return (request, channel) => {
    const turn = order.take();
    return send(request, channel, turn).then(
      (response) => {
        turn.release();
        return response;
      },
      (error: unknown) => {
        turn.release();
        return refusedResponse(request, error, deps.logger, {
          code: request.code,
          producer: channel.remoteAddress,
        });
      },
    );
  };
}
