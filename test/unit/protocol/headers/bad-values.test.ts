import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/protocol/bad-request-error.js';
import {
  decodeQueryConsumerOffsetRequestHeader,
  decodeUpdateConsumerOffsetRequestHeader,
} from '../../../../src/protocol/headers/consumer-offset.js';
import { decodeEndTransactionRequestHeader } from '../../../../src/protocol/headers/transaction.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';

const refusal = (decode: () => unknown): { code: number; message: string } | undefined => {
  try {
    decode();
    return undefined;
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    return { code: error.responseCode, message: error.message };
  }
};

describe('header values no request may carry', () => {
  it('a negative queueId in a consumer offset query or update', () => {
    const ext = { consumerGroup: 'g', topic: 'T', queueId: '-1', commitOffset: '5' };
    for (const decode of [decodeQueryConsumerOffsetRequestHeader, decodeUpdateConsumerOffsetRequestHeader]) {
      expect(refusal(() => decode(ext))).toEqual({
        code: ResponseCode.SYSTEM_ERROR,
        message: 'the custom field <queueId> must not be negative: -1',
      });
      expect(refusal(() => decode({ ...ext, queueId: '0' }))).toBeUndefined();
    }
  });

  it('an END_TRANSACTION commitOrRollback that is no transaction type', () => {
    const ext = {
      producerGroup: 'pg',
      tranStateTableOffset: '0',
      commitLogOffset: '0',
      msgId: 'm',
    };
    for (const type of ['-1', '1', '1000000000']) {
      expect(refusal(() => decodeEndTransactionRequestHeader({ ...ext, commitOrRollback: type }))?.code).toBe(
        ResponseCode.SYSTEM_ERROR,
      );
    }
    for (const type of ['0', '8', '12'])
      expect(
        refusal(() => decodeEndTransactionRequestHeader({ ...ext, commitOrRollback: type })),
      ).toBeUndefined();
  });
});
