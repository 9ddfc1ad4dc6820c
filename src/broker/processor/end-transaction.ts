/**
 * END_TRANSACTION (37): RocketMQ's EndTransactionProcessor. The producer (after its local transaction, or
 * answering a check) names a half message by CommitLog and queue offset; COMMIT stores the message on its
 * real topic, ROLLBACK drops it, and both store an op record so the check service stops asking. UNKNOWN
 * changes nothing: the check service will ask again.
 */
import type { Logger } from '../../logger.js';
import { BadRequestError } from '../../protocol/bad-request-error.js';
import {
  type EndTransactionRequestHeader,
  TransactionType,
  decodeEndTransactionRequestHeader,
} from '../../protocol/headers/transaction.js';
import { decodeRecord } from '../../protocol/message-codec.js';
import type { HostAddress, MessageExt, MessageRecordInput } from '../../protocol/message.js';
import { MessageProperty } from '../../protocol/properties.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { BrokerConfig } from '../config.js';
import { SystemTopic } from '../managers/topic-config.js';
import type { MessageStore, PutOptions, PutResult } from '../store/message-store.js';
import { committedInput, opInput, originOf, realDestinationOf } from '../transaction/half-message.js';
import type { TransactionLedger } from '../transaction/transaction-ledger.js';

export interface EndTransactionDeps {
  readonly config: Pick<BrokerConfig, 'brokerRole'>;
  readonly storeHost: HostAddress;
  readonly store: Pick<MessageStore, 'readRecord'>;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly ledger: TransactionLedger;
  readonly now: () => number;
  readonly logger: Logger;
}

const typeName = (type: number): string =>
  type === TransactionType.COMMIT ? 'COMMIT' : type === TransactionType.ROLLBACK ? 'ROLLBACK' : 'UNKNOWN';

export function createEndTransactionProcessor(deps: EndTransactionDeps): RequestProcessor {
  // The request table logs each refusal once (refusal-log.ts); this only builds the answer.
  const refuse = (
    request: RemotingCommand,
    remark: string,
    code: number = ResponseCode.SYSTEM_ERROR,
  ): RemotingCommand => createResponse(request, code, { remark });

  /** RocketMQ's checkPrepareMessage: the record at that offset must be this producer group's half. */
  const findHalf = async (header: EndTransactionRequestHeader): Promise<MessageExt | string> => {
    const record = await deps.store.readRecord(header.commitLogOffset);
    if (record === undefined) return 'Find prepared transaction message failed';
    const half = decodeRecord(record);
    if (half.topic !== SystemTopic.TRANS_HALF) return 'The message at that offset is not a half message';
    if (half.properties.get(MessageProperty.PGROUP) !== header.producerGroup)
      return 'The producer group wrong';
    if (half.queueOffset !== header.tranStateTableOffset) return 'The transaction state table offset wrong';
    return half;
  };

  const end = async (request: RemotingCommand): Promise<RemotingCommand | undefined> => {
    let header: EndTransactionRequestHeader;
    try {
      header = decodeEndTransactionRequestHeader(request.extFields);
    } catch (error) {
      if (error instanceof BadRequestError) return refuse(request, error.message);
      throw error;
    }
    if (deps.config.brokerRole === 'SLAVE') {
      return refuse(
        request,
        'Message store is slave mode, so end transaction is forbidden.',
        ResponseCode.SLAVE_NOT_AVAILABLE,
      );
    }
    const type = header.commitOrRollback;
    if (type !== TransactionType.COMMIT && type !== TransactionType.ROLLBACK) {
      deps.logger.info(
        {
          producerGroup: header.producerGroup,
          msgId: header.msgId,
          fromTransactionCheck: header.fromTransactionCheck,
        },
        'the producer does not know the outcome of its transaction yet',
      );
      return undefined;
    }
    const half = await findHalf(header);
    if (typeof half === 'string') return refuse(request, half);
    const destination = realDestinationOf(half);
    if (destination === undefined) return refuse(request, 'The half message has no real topic');
    const origin = originOf(half);
    if (!deps.ledger.finish(origin)) {
      deps.logger.info(
        { producerGroup: header.producerGroup, msgId: header.msgId, outcome: typeName(type) },
        'transaction already finished, END_TRANSACTION ignored',
      );
      return createResponse(request, ResponseCode.SUCCESS);
    }
    const op = opInput(origin, deps.storeHost, deps.now());
    // The committed message and its op record go in one append: a crash keeps both or neither, so a commit
    // is neither lost nor asked about again once stored.
    const inputs =
      type === TransactionType.COMMIT ? [committedInput(half, destination, deps.storeHost), op] : [op];
    try {
      const result = await deps.put(inputs, {});
      if (result.status !== 'PUT_OK') {
        return createResponse(request, ResponseCode.FLUSH_DISK_TIMEOUT, { remark: result.status });
      }
    } catch (error) {
      deps.ledger.reopen(origin);
      return refuse(request, `storing the ${typeName(type)} failed: ${String(error)}`);
    }
    deps.logger.debug(
      {
        producerGroup: header.producerGroup,
        msgId: header.msgId,
        topic: destination.topic,
        outcome: typeName(type),
      },
      'transaction finished',
    );
    return createResponse(request, ResponseCode.SUCCESS);
  };

  return (request) => end(request);
}
