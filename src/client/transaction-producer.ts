/**
 * RocketMQ's TransactionMQProducer: a producer that sends half messages, runs the local transaction, and
 * tells the broker COMMIT, ROLLBACK or UNKNOWN; `checkTransaction` answers the broker's later checks about
 * transactions left UNKNOWN (or whose producer died before telling).
 */
import { type Observable, catchError, defer, map, of, switchMap, throwError } from 'rxjs';
import { MQClientError } from '../errors.js';
import { decodeOffsetMsgId } from '../protocol/msg-id.js';
import { MessageProperty } from '../protocol/properties.js';
import { acquireClientInstance } from './client-instance.js';
import type { Message, SendResult } from './message.js';
import { type Producer, type ProducerOptions, createProducer } from './producer.js';
import { AUTO_CREATE_TOPIC } from './publish-info.js';
import { brokerAddress } from './topic-route.js';
import {
  type LocalTransactionState,
  type TransactionChecker,
  type TransactionStateInput,
  endTransactionRequest,
  registerTransactionChecker,
  transactionState$,
} from './transaction-check.js';

export interface TransactionProducerOptions extends ProducerOptions {
  /**
   * Asked when the broker never heard the outcome of a transaction of this group (UNKNOWN, or the producer
   * died first): look the transaction up and say COMMIT, ROLLBACK, or UNKNOWN to be asked again later.
   */
  readonly checkTransaction: TransactionChecker;
}

export interface TransactionSendResult extends SendResult {
  readonly transactionId: string;
  /** What the local transaction decided, and what the broker was told. */
  readonly localTransactionState: LocalTransactionState;
}

/** The local transaction: runs once the half message is stored, with what the broker answered. */
export type LocalTransaction = (message: Message, sent: SendResult) => TransactionStateInput;

export interface TransactionProducer extends Producer {
  /**
   * Cold: stores `message` as a half message (invisible to consumers), runs `executeLocal`, then commits
   * (consumers get the message once), rolls back (they never do) or leaves it to the broker's check.
   * Errors only when the half message could not be sent; a failing local transaction counts as UNKNOWN.
   */
  sendInTransaction$(message: Message, executeLocal: LocalTransaction): Observable<TransactionSendResult>;
}

export function createTransactionProducer(options: TransactionProducerOptions): TransactionProducer {
  const producer = createProducer(options);
  // The same shared instance the producer uses, held for its remoting client and routes.
  const instance = acquireClientInstance(options);
  const logger = instance.options.logger.child({ component: 'transaction-producer', group: options.group });
  const unregister = registerTransactionChecker(instance, options.group, options.checkTransaction, logger);

  const endTransaction$ = (
    message: Message,
    sent: SendResult,
    transactionId: string,
    state: LocalTransactionState,
  ): Observable<void> =>
    defer(() => {
      // A first send to a new topic went through the default topic's route: the broker is named there.
      const route = instance.routes.cached(message.topic) ?? instance.routes.cached(AUTO_CREATE_TOPIC);
      const address = route === undefined ? undefined : brokerAddress(route, sent.messageQueue.brokerName);
      if (address === undefined) {
        throw new MQClientError(
          'ERR_BROKER_NOT_FOUND',
          `no address for broker ${sent.messageQueue.brokerName}`,
        );
      }
      const request = endTransactionRequest(
        {
          producerGroup: options.group,
          tranStateTableOffset: sent.queueOffset,
          commitLogOffset: decodeOffsetMsgId(sent.offsetMsgId).physicalOffset,
          msgId: sent.msgId,
          transactionId,
        },
        state,
        false,
      );
      return instance.remoting.oneway$(address, request);
    }).pipe(
      // As RocketMQ's client: the outcome not reaching the broker is not the sender's failure; the check
      // service will ask this group again.
      catchError((error: unknown) => {
        logger.warn({ msgId: sent.msgId, state, error: String(error) }, 'END_TRANSACTION not sent');
        return of(undefined);
      }),
    );

  const sendInTransaction$ = (
    message: Message,
    executeLocal: LocalTransaction,
  ): Observable<TransactionSendResult> =>
    defer(() => {
      if ((message.delayLevel !== undefined && message.delayLevel > 0) || message.deliverAt !== undefined) {
        return throwError(
          () =>
            new MQClientError(
              'ERR_BAD_MESSAGE',
              'a transactional message cannot have a delay level or a delivery time',
            ),
        );
      }
      const half: Message = {
        ...message,
        properties: {
          ...message.properties,
          [MessageProperty.TRAN_MSG]: 'true',
          [MessageProperty.PGROUP]: options.group,
        },
      };
      return producer.send$(half).pipe(
        switchMap((sent) => {
          const transactionId = sent.transactionId ?? sent.msgId;
          const state$ =
            sent.status === 'SEND_OK'
              ? transactionState$(() => executeLocal(message, sent), logger, { msgId: sent.msgId })
              : of<LocalTransactionState>('ROLLBACK');
          return state$.pipe(
            switchMap((state) =>
              endTransaction$(message, sent, transactionId, state).pipe(
                map((): TransactionSendResult => ({ ...sent, transactionId, localTransactionState: state })),
              ),
            ),
          );
        }),
      );
    });

  let closed = false;
  return {
    get group() {
      return producer.group;
    },
    send$: (message, sendOptions) => producer.send$(message, sendOptions),
    sendOneway$: (message, sendOptions) => producer.sendOneway$(message, sendOptions),
    sendBatch$: (messages, sendOptions) => producer.sendBatch$(messages, sendOptions),
    sendInTransaction$,
    shutdown: async () => {
      if (closed) return;
      closed = true;
      unregister();
      await producer.shutdown();
      await instance.release();
    },
  };
}
