import { ProtocolError } from '../../errors.js';
import { decodeBatch } from '../../protocol/batch-codec.js';
import { javaStringHashCode } from '../../protocol/java-hash.js';
import { type HostAddress, type MessageRecordInput, SysFlag } from '../../protocol/message.js';
import { MessageProperty, decodeProperties } from '../../protocol/properties.js';
import { storedBatchEntryProperties } from './stored-properties.js';

/** What every message of one SEND_BATCH_MESSAGE shares. */
export interface BatchContext {
  readonly topic: string;
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  /** The batch's own properties (header `i`), CLUSTER included. */
  readonly properties: ReadonlyMap<string, string>;
  readonly nextUniqKey: () => string;
}

export type BatchInputs = { readonly inputs: MessageRecordInput[] } | { readonly refused: string };

const isDelayed = (props: ReadonlyMap<string, string>): boolean =>
  Number(props.get(MessageProperty.DELAY) ?? 0) > 0;

const isTransactional = (props: ReadonlyMap<string, string>): boolean =>
  props.get(MessageProperty.TRAN_MSG)?.toLowerCase() === 'true';

/**
 * The records of a batch: one per inner message, each with its own flag, body and properties, all to the
 * batch's topic and queue. RocketMQ's store refuses batches of delayed or transactional messages (their
 * topics would be rewritten one by one), so they are refused here, whichever level they are marked at.
 */
export function batchInputs(body: Uint8Array, context: BatchContext): BatchInputs {
  if ((context.sysFlag & SysFlag.TRANSACTION_MASK) !== SysFlag.TRANSACTION_NOT_TYPE) {
    return { refused: 'a batch cannot carry transactional messages' };
  }
  if (isDelayed(context.properties)) return { refused: 'a batch cannot carry delayed messages' };
  if (isTransactional(context.properties)) return { refused: 'a batch cannot carry transactional messages' };
  let entries;
  try {
    entries = decodeBatch(body);
  } catch (error) {
    if (error instanceof ProtocolError) return { refused: `the batch body is malformed: ${error.message}` };
    throw error;
  }
  if (entries.length === 0) return { refused: 'the batch holds no message' };
  const inputs: MessageRecordInput[] = [];
  for (const [i, entry] of entries.entries()) {
    const own = decodeProperties(entry.properties);
    if (isDelayed(own)) return { refused: `message ${i} of the batch is delayed; a batch cannot be` };
    if (isTransactional(own))
      return { refused: `message ${i} of the batch is transactional; a batch cannot be` };
    const tags = own.get(MessageProperty.TAGS);
    inputs.push({
      topic: context.topic,
      queueId: context.queueId,
      flag: entry.flag,
      body: entry.body,
      properties: storedBatchEntryProperties(own, context.properties, context.nextUniqKey),
      sysFlag: context.sysFlag,
      bornTimestamp: context.bornTimestamp,
      bornHost: context.bornHost,
      storeHost: context.storeHost,
      reconsumeTimes: context.reconsumeTimes,
      preparedTransactionOffset: 0,
      tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
    });
  }
  return { inputs };
}
