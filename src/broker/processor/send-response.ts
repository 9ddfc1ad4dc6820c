/**
 * What a send is answered with once the store has spoken: SendMessageResponseHeader for a stored message,
 * the store error's own response code for a refusal, SYSTEM_ERROR for anything unforeseen.
 */
import { RxRocketError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { encodeSendMessageResponseHeader } from '../../protocol/headers/send.js';
import type { HostAddress } from '../../protocol/message.js';
import { createOffsetMsgId } from '../../protocol/msg-id.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { PutResult } from '../store/message-store.js';

/** RocketMQ's remark for MESSAGE_ILLEGAL and PROPERTIES_SIZE_EXCEEDED. */
export const messageIllegalRemark = (maxMessageSize: number): string =>
  'the message is illegal, maybe msg body or properties length not matched. ' +
  `msg body length limit ${maxMessageSize}B, msg properties length limit 32KB.`;

/** A Java broker's defaults for the two extFields it adds to send responses; the Java client reads them. */
const REGION_ID = 'DefaultRegion';
const TRACE_ON = 'true';

/** A stored message's code: Java clients read the header whichever of these it is (RocketMQ's sendOK). */
const STORED_CODES: Readonly<Record<PutResult['status'], number>> = {
  PUT_OK: ResponseCode.SUCCESS,
  FLUSH_DISK_TIMEOUT: ResponseCode.FLUSH_DISK_TIMEOUT,
  FLUSH_SLAVE_TIMEOUT: ResponseCode.FLUSH_SLAVE_TIMEOUT,
  SLAVE_NOT_AVAILABLE: ResponseCode.SLAVE_NOT_AVAILABLE,
};

/**
 * PUT_OK → SUCCESS; stored but unconfirmed (by the disk or SYNC_MASTER's slave) → that status's own code.
 * For a batch, msgId joins every message's offset msgId with commas and queueOffset is the first message's.
 */
export function storedResponse(
  request: RemotingCommand,
  result: PutResult,
  queueId: number,
  storeHost: HostAddress,
): RemotingCommand {
  const first = result.records[0];
  const msgId =
    result.records.length === 1 && first !== undefined
      ? createOffsetMsgId(storeHost, first.physicalOffset)
      : result.records.map((r) => createOffsetMsgId(storeHost, r.physicalOffset)).join(',');
  return createResponse(
    request,
    STORED_CODES[result.status],
    {
      extFields: encodeSendMessageResponseHeader({
        msgId,
        queueId,
        queueOffset: first?.queueOffset ?? 0,
        MSG_REGION: REGION_ID,
        TRACE_ON,
      }),
    },
  );
}

const responseCodeOf = (error: unknown): number | undefined =>
  error instanceof RxRocketError && 'responseCode' in error && typeof error.responseCode === 'number'
    ? error.responseCode
    : undefined;

/** A refused send: the store's errors (and bad headers) carry their RocketMQ code; anything else is a bug worth one log line. */
export function refusedResponse(
  request: RemotingCommand,
  error: unknown,
  logger: Logger,
  context: object,
): RemotingCommand {
  const message = error instanceof Error ? error.message : String(error);
  const code = responseCodeOf(error);
  if (code !== undefined) return createResponse(request, code, { remark: message });
  logger.error({ ...context, error: message }, 'send failed unexpectedly');
  return createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: `send failed: ${message}` });
}
