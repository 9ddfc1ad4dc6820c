import { type Observable, map } from 'rxjs';
import { MQBrokerError } from '../errors.js';
import {
  encodeGetConsumerListByGroupRequestHeader,
  parseGetConsumerListByGroupResponseBody,
} from '../protocol/headers/client.js';
import {
  type UpdateConsumerOffsetRequestHeader,
  decodeQueryConsumerOffsetResponseHeader,
  encodeQueryConsumerOffsetRequestHeader,
  encodeUpdateConsumerOffsetRequestHeader,
} from '../protocol/headers/consumer-offset.js';
import {
  type PullMessageRequestHeader,
  decodePullMessageResponseHeader,
  encodePullMessageRequestHeader,
} from '../protocol/headers/pull.js';
import {
  decodeGetMaxOffsetResponseHeader,
  decodeGetMinOffsetResponseHeader,
  encodeGetMaxOffsetRequestHeader,
  encodeGetMinOffsetRequestHeader,
  encodeSearchOffsetRequestHeader,
} from '../protocol/headers/queue-offset.js';
import {
  type ConsumerSendMsgBackRequestHeader,
  encodeConsumerSendMsgBackRequestHeader,
} from '../protocol/headers/send-back.js';
import type { MessageExt } from '../protocol/message.js';
import { type RemotingCommand, createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode, isRetriableResponseCode } from '../protocol/response-code.js';
import { decodePulledMessages } from './consumer-message.js';
import type { PullResult, PullStatus } from './pull-loop.js';

/** RemotingClient.invoke$, the only thing these calls need from the client instance. */
export type Invoke = (
  address: string,
  request: RemotingCommand,
  timeoutMs: number,
) => Observable<RemotingCommand>;

export interface QueueRef {
  readonly topic: string;
  readonly queueId: number;
}

/** The broker calls a consumer makes, each one request and one decoded answer. */
export interface ConsumerApi {
  /** PULL_MESSAGE; `timeoutMs` must outlast the broker's suspend time (long polling). */
  pull$(
    address: string,
    header: PullMessageRequestHeader,
    timeoutMs: number,
  ): Observable<PullResult<MessageExt>>;
  /** QUERY_CONSUMER_OFFSET; undefined when the broker has none for the group (QUERY_NOT_FOUND). */
  queryConsumerOffset$(
    address: string,
    group: string,
    queue: QueueRef,
    timeoutMs: number,
  ): Observable<number | undefined>;
  updateConsumerOffset$(
    address: string,
    header: UpdateConsumerOffsetRequestHeader,
    timeoutMs: number,
  ): Observable<void>;
  /** GET_CONSUMER_LIST_BY_GROUP: the client ids the broker has heartbeats from. */
  consumerIds$(address: string, group: string, timeoutMs: number): Observable<string[]>;
  maxOffset$(address: string, queue: QueueRef, timeoutMs: number): Observable<number>;
  /** GET_MIN_OFFSET: the oldest offset still stored (seekToBegin). */
  minOffset$(address: string, queue: QueueRef, timeoutMs: number): Observable<number>;
  searchOffset$(address: string, queue: QueueRef, timestamp: number, timeoutMs: number): Observable<number>;
  /** CONSUMER_SEND_MSG_BACK */
  sendBack$(address: string, header: ConsumerSendMsgBackRequestHeader, timeoutMs: number): Observable<void>;
}

const PULL_STATUS: Readonly<Record<number, PullStatus>> = {
  [ResponseCode.SUCCESS]: 'FOUND',
  [ResponseCode.PULL_NOT_FOUND]: 'NO_NEW_MSG',
  [ResponseCode.PULL_RETRY_IMMEDIATELY]: 'NO_MATCHED_MSG',
  [ResponseCode.PULL_OFFSET_MOVED]: 'OFFSET_ILLEGAL',
};

const brokerError = (response: RemotingCommand, address: string): MQBrokerError =>
  new MQBrokerError(response.code, response.remark ?? '', address, {
    retriable: isRetriableResponseCode(response.code),
  });

/** The answer when it is SUCCESS (or one of `alsoOk`), else an MQBrokerError with the broker's code and remark. */
const expect$ =
  (address: string, alsoOk: readonly number[] = []) =>
  (response$: Observable<RemotingCommand>): Observable<RemotingCommand> =>
    response$.pipe(
      map((response) => {
        if (response.code !== ResponseCode.SUCCESS && !alsoOk.includes(response.code))
          throw brokerError(response, address);
        return response;
      }),
    );

export function createConsumerApi(invoke$: Invoke): ConsumerApi {
  const call$ = (address: string, code: number, extFields: RemotingCommand['extFields'], timeoutMs: number) =>
    invoke$(address, createRequest(code, { extFields }), timeoutMs);

  return {
    pull$: (address, header, timeoutMs) =>
      call$(address, RequestCode.PULL_MESSAGE, encodePullMessageRequestHeader(header), timeoutMs).pipe(
        map((response): PullResult<MessageExt> => {
          const status = PULL_STATUS[response.code];
          if (status === undefined) throw brokerError(response, address);
          const h = decodePullMessageResponseHeader(response.extFields);
          const body = response.body;
          return {
            status,
            nextBeginOffset: h.nextBeginOffset,
            minOffset: h.minOffset,
            maxOffset: h.maxOffset,
            suggestWhichBrokerId: h.suggestWhichBrokerId,
            messages:
              status === 'FOUND' && body !== undefined && body.length > 0
                ? decodePulledMessages(Buffer.from(body.buffer, body.byteOffset, body.byteLength))
                : [],
          };
        }),
      ),

    queryConsumerOffset$: (address, group, queue, timeoutMs) =>
      call$(
        address,
        RequestCode.QUERY_CONSUMER_OFFSET,
        encodeQueryConsumerOffsetRequestHeader({
          consumerGroup: group,
          topic: queue.topic,
          queueId: queue.queueId,
        }),
        timeoutMs,
      ).pipe(
        expect$(address, [ResponseCode.QUERY_NOT_FOUND]),
        map((response) =>
          response.code === ResponseCode.QUERY_NOT_FOUND
            ? undefined
            : decodeQueryConsumerOffsetResponseHeader(response.extFields).offset,
        ),
      ),

    updateConsumerOffset$: (address, header, timeoutMs) =>
      call$(
        address,
        RequestCode.UPDATE_CONSUMER_OFFSET,
        encodeUpdateConsumerOffsetRequestHeader(header),
        timeoutMs,
      ).pipe(
        expect$(address),
        map(() => undefined),
      ),

    consumerIds$: (address, group, timeoutMs) =>
      call$(
        address,
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        encodeGetConsumerListByGroupRequestHeader({ consumerGroup: group }),
        timeoutMs,
      ).pipe(
        expect$(address),
        map((response) => [...parseGetConsumerListByGroupResponseBody(response.body).consumerIdList]),
      ),

    maxOffset$: (address, queue, timeoutMs) =>
      call$(address, RequestCode.GET_MAX_OFFSET, encodeGetMaxOffsetRequestHeader(queue), timeoutMs).pipe(
        expect$(address),
        map((response) => decodeGetMaxOffsetResponseHeader(response.extFields).offset),
      ),

    minOffset$: (address, queue, timeoutMs) =>
      call$(address, RequestCode.GET_MIN_OFFSET, encodeGetMinOffsetRequestHeader(queue), timeoutMs).pipe(
        expect$(address),
        map((response) => decodeGetMinOffsetResponseHeader(response.extFields).offset),
      ),

    searchOffset$: (address, queue, timestamp, timeoutMs) =>
      call$(
        address,
        RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
        encodeSearchOffsetRequestHeader({ ...queue, timestamp }),
        timeoutMs,
      ).pipe(
        expect$(address),
        map((response) => decodeGetMaxOffsetResponseHeader(response.extFields).offset),
      ),

    sendBack$: (address, header, timeoutMs) =>
      call$(
        address,
        RequestCode.CONSUMER_SEND_MSG_BACK,
        encodeConsumerSendMsgBackRequestHeader(header),
        timeoutMs,
      ).pipe(
        expect$(address),
        map(() => undefined),
      ),
  };
}
