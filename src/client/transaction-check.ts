/**
 * The producer's side of a transaction's outcome: running the user's decision (a value, a Promise or an
 * Observable of COMMIT, ROLLBACK or UNKNOWN), telling the broker with END_TRANSACTION, and answering the
 * broker's CHECK_TRANSACTION_STATE the way RocketMQ's ClientRemotingProcessor.checkTransactionState does.
 */
import {
  type Observable,
  type ObservableInput,
  catchError,
  defaultIfEmpty,
  defer,
  from,
  map,
  of,
  take,
} from 'rxjs';
import type { Logger } from '../logger.js';
import {
  TransactionType,
  decodeCheckTransactionStateRequestHeader,
  encodeEndTransactionRequestHeader,
} from '../protocol/headers/transaction.js';
import type { MessageExt } from '../protocol/message.js';
import { MessageProperty } from '../protocol/properties.js';
import { type RemotingCommand, createRequest } from '../protocol/remoting-command.js';
import { RequestCode } from '../protocol/request-code.js';
import type { RequestProcessor } from '../remoting/channel.js';
import type { ClientInstance } from './client-instance.js';
import { decodePulledMessages } from './consumer-message.js';

export type LocalTransactionState = 'COMMIT' | 'ROLLBACK' | 'UNKNOWN';

/** What a local transaction or a check returns: the state itself, or a Promise or Observable of it. */
export type TransactionStateInput = LocalTransactionState | ObservableInput<LocalTransactionState>;

/** A half message as the broker hands it back in a check: `msgId` is the producer's id (UNIQ_KEY). */
export interface TransactionMessage extends MessageExt {
  readonly transactionId: string;
  /** The broker's id of the stored half (store host + CommitLog offset). */
  readonly offsetMsgId: string;
}

export type TransactionChecker = (message: TransactionMessage) => TransactionStateInput;

const STATES: ReadonlySet<string> = new Set(['COMMIT', 'ROLLBACK', 'UNKNOWN']);

/**
 * The first state the user's code gives. A throw, an error, an empty result or something that is not a
 * state counts as UNKNOWN, as RocketMQ treats an exception in the local transaction: the broker asks later.
 */
export function transactionState$(
  decide: () => TransactionStateInput,
  logger: Logger,
  context: object,
): Observable<LocalTransactionState> {
  return defer(() => {
    const decided = decide();
    return typeof decided === 'string' ? of(decided) : from(decided);
  }).pipe(
    take(1),
    map((state): LocalTransactionState => {
      if (STATES.has(state)) return state;
      logger.warn({ ...context, state: state as unknown }, 'not a transaction state, taken as UNKNOWN');
      return 'UNKNOWN';
    }),
    defaultIfEmpty<LocalTransactionState, LocalTransactionState>('UNKNOWN'),
    catchError((error: unknown) => {
      logger.warn({ ...context, error: String(error) }, 'transaction decision failed, taken as UNKNOWN');
      return of<LocalTransactionState>('UNKNOWN');
    }),
  );
}

const TYPE_OF: Readonly<Record<LocalTransactionState, number>> = {
  COMMIT: TransactionType.COMMIT,
  ROLLBACK: TransactionType.ROLLBACK,
  UNKNOWN: TransactionType.NOT_TYPE,
};

export interface EndTransactionTarget {
  readonly producerGroup: string;
  /** The half's queue offset on the half topic. */
  readonly tranStateTableOffset: number;
  readonly commitLogOffset: number;
  readonly msgId: string;
  readonly transactionId: string;
}

/** END_TRANSACTION, oneway as RocketMQ's client sends it. */
export function endTransactionRequest(
  target: EndTransactionTarget,
  state: LocalTransactionState,
  fromTransactionCheck: boolean,
): RemotingCommand {
  return createRequest(RequestCode.END_TRANSACTION, {
    extFields: encodeEndTransactionRequestHeader({
      ...target,
      commitOrRollback: TYPE_OF[state],
      fromTransactionCheck,
    }),
    oneway: true,
  });
}

/** Answers each check by asking the checker of the half's producer group (PGROUP). */
export function createCheckTransactionProcessor(
  checkers: ReadonlyMap<string, TransactionChecker>,
  logger: Logger,
): RequestProcessor {
  return (request, channel) => {
    const header = decodeCheckTransactionStateRequestHeader(request.extFields);
    const [half] = decodePulledMessages(Buffer.from(request.body ?? []));
    if (half === undefined) {
      logger.warn({ broker: channel.remoteAddress }, 'CHECK_TRANSACTION_STATE without a message, ignored');
      return [undefined];
    }
    const group = half.properties.get(MessageProperty.PGROUP) ?? '';
    const checker = checkers.get(group);
    if (checker === undefined) {
      logger.warn(
        { broker: channel.remoteAddress, producerGroup: group },
        'no transaction producer of that group here',
      );
      return [undefined];
    }
    const uniqKey = half.properties.get(MessageProperty.UNIQ_KEY) ?? header.msgId ?? half.msgId;
    const message: TransactionMessage = {
      ...half,
      msgId: uniqKey,
      offsetMsgId: header.offsetMsgId ?? half.msgId,
      transactionId: header.transactionId ?? uniqKey,
    };
    const context = { producerGroup: group, msgId: uniqKey };
    // The check runs on its own: a slow checker holds up neither this connection nor other checks.
    transactionState$(() => checker(message), logger, context).subscribe((state) => {
      channel.oneway(
        endTransactionRequest(
          {
            producerGroup: group,
            tranStateTableOffset: header.tranStateTableOffset,
            commitLogOffset: header.commitLogOffset,
            msgId: uniqKey,
            transactionId: message.transactionId,
          },
          state,
          true,
        ),
      );
    });
    return [undefined];
  };
}

const checkersOf = new WeakMap<ClientInstance, Map<string, TransactionChecker>>();

/**
 * Makes `checker` answer the broker's checks about `group`'s transactions on this client instance; the
 * returned function takes it back. The processor is registered on the instance's connections once.
 */
export function registerTransactionChecker(
  instance: ClientInstance,
  group: string,
  checker: TransactionChecker,
  logger: Logger,
): () => void {
  let checkers = checkersOf.get(instance);
  if (checkers === undefined) {
    checkers = new Map();
    checkersOf.set(instance, checkers);
    instance.remoting.registerProcessor(
      RequestCode.CHECK_TRANSACTION_STATE,
      createCheckTransactionProcessor(checkers, logger),
    );
  }
  checkers.set(group, checker);
  return () => {
    checkers.delete(group);
  };
}
