import { EMPTY, firstValueFrom, from, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type LocalTransactionState,
  type TransactionChecker,
  type TransactionMessage,
  createCheckTransactionProcessor,
  transactionState$,
} from '../../../src/client/transaction-check.js';
import { silentLogger } from '../../../src/logger.js';
import {
  decodeEndTransactionRequestHeader,
  encodeCheckTransactionStateRequestHeader,
} from '../../../src/protocol/headers/transaction.js';
import { encodeProperties } from '../../../src/protocol/properties.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { FakeChannel } from '../../helpers/fake-channel.js';
import { type LogLine, recordingLogger } from '../../helpers/recording-logger.js';
import { recordAt } from '../../fixtures/client/records.js';

const stateOf = (decide: () => unknown, lines: LogLine[] = []): Promise<LocalTransactionState> =>
  firstValueFrom(
    transactionState$(decide as () => LocalTransactionState, recordingLogger(lines), { msgId: 'm' }),
  );

describe('transactionState$', () => {
  it('takes a state as a value, a Promise or the first value of an Observable', async () => {
    expect(await stateOf(() => 'COMMIT')).toBe('COMMIT');
    expect(await stateOf(() => Promise.resolve('ROLLBACK'))).toBe('ROLLBACK');
    expect(await stateOf(() => from(['COMMIT', 'ROLLBACK']))).toBe('COMMIT');
  });

  it('counts a throw, an error, nothing, or a non-state as UNKNOWN, with a log line', async () => {
    const lines: LogLine[] = [];
    expect(
      await stateOf(() => {
        throw new Error('db down');
      }, lines),
    ).toBe('UNKNOWN');
    expect(await stateOf(() => throwError(() => new Error('timeout')), lines)).toBe('UNKNOWN');
    expect(await stateOf(() => EMPTY)).toBe('UNKNOWN');
    expect(await stateOf(() => of('COMMITTED'), lines)).toBe('UNKNOWN');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn', 'warn']);
  });
});

describe('CHECK_TRANSACTION_STATE processor', () => {
  const checkRequest = (group: string) =>
    createRequest(RequestCode.CHECK_TRANSACTION_STATE, {
      extFields: encodeCheckTransactionStateRequestHeader({
        tranStateTableOffset: 7,
        commitLogOffset: 4096,
        msgId: 'UNIQ-1',
        transactionId: 'UNIQ-1',
        offsetMsgId: 'OFFSET-ID',
      }),
      body: recordAt(7, encodeProperties({ PGROUP: group, UNIQ_KEY: 'UNIQ-1', TRAN_MSG: 'true' }), 4096),
      oneway: true,
    });

  it("answers with a oneway END_TRANSACTION from the check, carrying the broker's offsets", async () => {
    const seen: TransactionMessage[] = [];
    const checker: TransactionChecker = (message) => {
      seen.push(message);
      return Promise.resolve('COMMIT');
    };
    const processor = createCheckTransactionProcessor(new Map([['pg', checker]]), silentLogger);
    const channel = new FakeChannel();
    await firstValueFrom(from(processor(checkRequest('pg'), channel)));
    await new Promise((resolve) => setImmediate(resolve));

    expect(seen.map((m) => [m.msgId, m.transactionId, m.offsetMsgId])).toEqual([
      ['UNIQ-1', 'UNIQ-1', 'OFFSET-ID'],
    ]);
    const [answer] = channel.sent;
    expect(answer?.code).toBe(RequestCode.END_TRANSACTION);
    expect(answer?.flag).toBe(2);
    expect(decodeEndTransactionRequestHeader(answer?.extFields)).toEqual({
      producerGroup: 'pg',
      tranStateTableOffset: 7,
      commitLogOffset: 4096,
      commitOrRollback: 8,
      fromTransactionCheck: true,
      msgId: 'UNIQ-1',
      transactionId: 'UNIQ-1',
    });
  });

  it('tells the broker UNKNOWN (0) when the checker does not know yet', async () => {
    const processor = createCheckTransactionProcessor(
      new Map([['pg', () => 'UNKNOWN' as const]]),
      silentLogger,
    );
    const channel = new FakeChannel();
    await firstValueFrom(from(processor(checkRequest('pg'), channel)));
    expect(decodeEndTransactionRequestHeader(channel.sent[0]?.extFields).commitOrRollback).toBe(0);
  });

  it('ignores a check for a group it has no producer of, with a log line', async () => {
    const lines: LogLine[] = [];
    const processor = createCheckTransactionProcessor(new Map(), recordingLogger(lines));
    const channel = new FakeChannel();
    await firstValueFrom(from(processor(checkRequest('elsewhere'), channel)));
    expect(channel.sent).toEqual([]);
    expect(lines.map((l) => l.message)).toEqual(['no transaction producer of that group here']);
  });
});
