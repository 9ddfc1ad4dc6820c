/** END_TRANSACTION (37, producer → broker) and CHECK_TRANSACTION_STATE (39, broker → producer), both oneway. */
import {
  optionalBoolean,
  optionalString,
  requiredInt,
  requiredLong,
  requiredString,
  toExtFields,
} from '../ext-fields.js';
import { BadRequestError } from '../bad-request-error.js';
import type { ExtFields } from '../remoting-command.js';

/** `commitOrRollback` values: MessageSysFlag's transaction bits. */
export const TransactionType = { NOT_TYPE: 0, COMMIT: 8, ROLLBACK: 12 } as const;

export interface EndTransactionRequestHeader {
  readonly producerGroup: string;
  /** Consume-queue offset of the half message. */
  readonly tranStateTableOffset: number;
  /** CommitLog offset of the half message. */
  readonly commitLogOffset: number;
  readonly commitOrRollback: number;
  readonly fromTransactionCheck: boolean;
  /** The message's UNIQ_KEY. */
  readonly msgId: string;
  readonly transactionId?: string | undefined;
}

export function encodeEndTransactionRequestHeader(h: EndTransactionRequestHeader): ExtFields {
  return toExtFields({
    producerGroup: h.producerGroup,
    tranStateTableOffset: h.tranStateTableOffset,
    commitLogOffset: h.commitLogOffset,
    commitOrRollback: h.commitOrRollback,
    fromTransactionCheck: h.fromTransactionCheck,
    msgId: h.msgId,
    transactionId: h.transactionId,
  });
}

const transactionTypes = new Set<number>(Object.values(TransactionType));

/**
 * Java ignores a commitOrRollback that is no transaction type without a word; refusing it instead answers
 * a caller that waits for a response rather than leaving it to time out.
 */
function transactionType(ext: ExtFields | undefined): number {
  const type = requiredInt(ext, 'commitOrRollback');
  if (!transactionTypes.has(type))
    throw new BadRequestError(
      `commitOrRollback ${type} is neither NOT_TYPE (0), COMMIT (8) nor ROLLBACK (12)`,
    );
  return type;
}

export function decodeEndTransactionRequestHeader(ext: ExtFields | undefined): EndTransactionRequestHeader {
  return {
    producerGroup: requiredString(ext, 'producerGroup'),
    tranStateTableOffset: requiredLong(ext, 'tranStateTableOffset'),
    commitLogOffset: requiredLong(ext, 'commitLogOffset'),
    commitOrRollback: transactionType(ext),
    fromTransactionCheck: optionalBoolean(ext, 'fromTransactionCheck') ?? false,
    msgId: requiredString(ext, 'msgId'),
    transactionId: optionalString(ext, 'transactionId'),
  };
}

export interface CheckTransactionStateRequestHeader {
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  readonly msgId?: string | undefined;
  readonly transactionId?: string | undefined;
  readonly offsetMsgId?: string | undefined;
}

export function encodeCheckTransactionStateRequestHeader(h: CheckTransactionStateRequestHeader): ExtFields {
  return toExtFields({
    tranStateTableOffset: h.tranStateTableOffset,
    commitLogOffset: h.commitLogOffset,
    msgId: h.msgId,
    transactionId: h.transactionId,
    offsetMsgId: h.offsetMsgId,
  });
}

export function decodeCheckTransactionStateRequestHeader(
  ext: ExtFields | undefined,
): CheckTransactionStateRequestHeader {
  return {
    tranStateTableOffset: requiredLong(ext, 'tranStateTableOffset'),
    commitLogOffset: requiredLong(ext, 'commitLogOffset'),
    msgId: optionalString(ext, 'msgId'),
    transactionId: optionalString(ext, 'transactionId'),
    offsetMsgId: optionalString(ext, 'offsetMsgId'),
  };
}
