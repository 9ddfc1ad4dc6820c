/**
 * QUERY_MESSAGE (12), by KEYS or UNIQ_KEY through the index, and VIEW_MESSAGE_BY_ID (33), by the CommitLog
 * offset an offset msgId carries: RocketMQ's QueryMessageProcessor. Bodies are the stored records back to
 * back, as Java's MessageDecoder.decodes reads them.
 */
import {
  decodeQueryMessageRequestHeader,
  decodeViewMessageRequestHeader,
  encodeQueryMessageResponseHeader,
} from '../../protocol/headers/query.js';
import { RecordLayout } from '../../protocol/message-codec.js';
import { MESSAGE_MAGIC } from '../../protocol/message.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { MessageStore } from '../store/message-store.js';
import { guarded } from './guarded.js';

/** RocketMQ's defaultQueryMaxNum: what a UNIQ_KEY query may return, whatever maxNum asked. */
const UNIQUE_KEY_QUERY_MAX_NUM = 32;

export function createMessageQueryProcessors(
  store: Pick<MessageStore, 'queryMessage' | 'readRecord'>,
): ReadonlyMap<number, RequestProcessor> {
  const query = guarded(async (request) => {
    const header = decodeQueryMessageRequestHeader(request.extFields);
    const maxNum = header.uniqueKeyQuery === true ? UNIQUE_KEY_QUERY_MAX_NUM : header.maxNum;
    const result = await store.queryMessage(
      header.topic,
      header.key,
      maxNum,
      header.beginTimestamp,
      header.endTimestamp,
    );
    const extFields = encodeQueryMessageResponseHeader({
      indexLastUpdateTimestamp: result.lastUpdateTimestamp,
      indexLastUpdatePhyoffset: result.lastUpdatePhysicalOffset,
    });
    if (result.records.length === 0) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        extFields,
        remark: 'can not find message, maybe time range not correct',
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, { extFields, body: Buffer.concat(result.records) });
  });

  const view = guarded(async (request) => {
    const { offset } = decodeViewMessageRequestHeader(request.extFields);
    const record = await store.readRecord(offset);
    // An offset inside a record (a mistyped msgId) reads bytes that are no record: refused, not sent.
    if (
      record === undefined ||
      record.length < 8 ||
      record.readInt32BE(RecordLayout.MAGIC) !== MESSAGE_MAGIC
    ) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, {
        remark: `can not find message by the offset, ${offset}`,
      });
    }
    return createResponse(request, ResponseCode.SUCCESS, { body: record });
  });

  return new Map([
    [RequestCode.QUERY_MESSAGE, query],
    [RequestCode.VIEW_MESSAGE_BY_ID, view],
  ]);
}
