import { join } from 'node:path';
import { type SchedulerLike, asyncScheduler, firstValueFrom, from } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../../../src/broker/config.js';
import { ConsumerOffsetManager } from '../../../../src/broker/managers/consumer-offset-manager.js';
import { ProducerManager } from '../../../../src/broker/managers/producer-manager.js';
import { createEndTransactionProcessor } from '../../../../src/broker/processor/end-transaction.js';
import { checkOnce } from '../../../../src/broker/transaction/check-service.js';
import { TransactionLedger } from '../../../../src/broker/transaction/transaction-ledger.js';
import { silentLogger } from '../../../../src/logger.js';
import { decodeSendMessageResponseHeader } from '../../../../src/protocol/headers/send.js';
import {
  TransactionType,
  decodeCheckTransactionStateRequestHeader,
  encodeEndTransactionRequestHeader,
} from '../../../../src/protocol/headers/transaction.js';
import { decodeRecord, decodeRecords } from '../../../../src/protocol/message-codec.js';
import { SysFlag } from '../../../../src/protocol/message.js';
import { decodeOffsetMsgId } from '../../../../src/protocol/msg-id.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { type LogLine, recordingLogger } from '../../../helpers/recording-logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';
import { STORE_HOST, header, nextKey, useSendFixture, v2 } from '../../../fixtures/broker/send-fixture.js';

const HALF = 'RMQ_SYS_TRANS_HALF_TOPIC';
const OP = 'RMQ_SYS_TRANS_OP_HALF_TOPIC';
const BORN = 1_700_000_000_000;

const fixture = useSendFixture();
let dir = '';
useTempDir('rxrocket-tx-', (path) => {
  dir = path;
});
let offsets: ConsumerOffsetManager;
let ledger: TransactionLedger;
let lines: LogLine[];
beforeEach(async () => {
  offsets = await ConsumerOffsetManager.load(join(dir, 'offsets.json'), silentLogger);
  ledger = new TransactionLedger();
  lines = [];
});

const put = (inputs: Parameters<typeof fixture.store.putBatch>[0]) => fixture.store.putBatch(inputs, {});

/** Sends a transactional message of group pg to Orders queue 2; the response. */
const sendHalf = (body = 'tx-body'): Promise<RemotingCommand> =>
  fixture.processor()(
    v2(
      header({
        queueId: 2,
        bornTimestamp: BORN,
        properties: encodeProperties({ UNIQ_KEY: nextKey(), TAGS: 'TagA', TRAN_MSG: 'true', PGROUP: 'pg' }),
      }),
      Buffer.from(body),
    ),
  );

const endTransaction = async (
  fields: { tranStateTableOffset: number; commitLogOffset: number },
  type: number,
  group = 'pg',
): Promise<RemotingCommand | undefined> => {
  const processor = createEndTransactionProcessor({
    config: DEFAULT_BROKER_CONFIG,
    storeHost: STORE_HOST,
    store: fixture.store,
    put,
    ledger,
    now: () => BORN,
    logger: recordingLogger(lines),
  });
  const request = createRequest(RequestCode.END_TRANSACTION, {
    extFields: encodeEndTransactionRequestHeader({
      producerGroup: group,
      ...fields,
      commitOrRollback: type,
      fromTransactionCheck: false,
      msgId: 'ignored',
    }),
  });
  return firstValueFrom(from(processor(request, new FakeChannel())), { defaultValue: undefined });
};

const offsetsOf = (response: RemotingCommand) => {
  const h = decodeSendMessageResponseHeader(response.extFields);
  return { tranStateTableOffset: h.queueOffset, commitLogOffset: decodeOffsetMsgId(h.msgId).physicalOffset };
};

/** The records of a queue once the store has dispatched `count` of them. */
async function queue(topic: string, queueId: number, count: number) {
  for (let i = 0; i < 500 && fixture.store.maxOffsetInQueue(topic, queueId) < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const result = await fixture.store.getMessage(topic, queueId, {
    offset: 0,
    maxCount: 64,
    maxBytes: 1 << 20,
  });
  return result.messages.map((m) => decodeRecord(m));
}

const clockAt = (now: number): SchedulerLike => ({
  now: () => now,
  schedule: asyncScheduler.schedule.bind(asyncScheduler),
});

const checkDeps = (now: number, producers: ProducerManager, max = 15) => ({
  config: { transactionCheckInterval: 1000, transactionTimeOut: 6000, transactionCheckMax: max },
  storeHost: STORE_HOST,
  store: fixture.store,
  put: (inputs: Parameters<typeof put>[0]) => put(inputs),
  offsets,
  producers,
  topics: fixture.topics,
  ledger,
  logger: recordingLogger(lines),
  scheduler: clockAt(now),
});

describe('half messages and END_TRANSACTION', () => {
  it('parks a transactional send on the half topic, out of the real queue', async () => {
    const response = await sendHalf();
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const [half] = await queue(HALF, 0, 1);
    expect(half?.properties.get('REAL_TOPIC')).toBe('Orders');
    expect(half?.properties.get('REAL_QID')).toBe('2');
    expect(half!.sysFlag & SysFlag.TRANSACTION_MASK).toBe(SysFlag.TRANSACTION_NOT_TYPE);
    expect(fixture.store.maxOffsetInQueue('Orders', 2)).toBe(0);
  });

  it('refuses a delayed or timed transactional send with MESSAGE_ILLEGAL', async () => {
    const logged: LogLine[] = [];
    const send = fixture.processor({ logger: recordingLogger(logged) });
    for (const extra of [{ DELAY: '3' }, { TIMER_DELIVER_MS: String(BORN + 10_000) }]) {
      const properties = encodeProperties({ TRAN_MSG: 'true', PGROUP: 'pg', ...extra });
      const response = await send(v2(header({ properties })));
      expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    }
    // The request table logs each refusal once (refusal-log.ts), so the processor adds no line of its own.
    expect(logged).toEqual([]);
    expect(fixture.store.maxOffsetInQueue(HALF, 0)).toBe(0);
  });

  it('refuses transactional sends when rejectTransactionMessage is on', async () => {
    const send = fixture.processor({ config: { ...DEFAULT_BROKER_CONFIG, rejectTransactionMessage: true } });
    const response = await send(
      v2(header({ properties: encodeProperties({ TRAN_MSG: 'true', PGROUP: 'pg' }) })),
    );
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
  });

  it('commits once: the message lands on its real queue and an op record finishes the half', async () => {
    const sent = offsetsOf(await sendHalf('commit-me'));
    expect((await endTransaction(sent, TransactionType.COMMIT))?.code).toBe(ResponseCode.SUCCESS);
    expect((await endTransaction(sent, TransactionType.COMMIT))?.code).toBe(ResponseCode.SUCCESS);
    const [committed, ...more] = await queue('Orders', 2, 1);
    expect(more).toEqual([]);
    expect(Buffer.from(committed!.body).toString()).toBe('commit-me');
    expect(committed!.sysFlag & SysFlag.TRANSACTION_MASK).toBe(SysFlag.TRANSACTION_COMMIT_TYPE);
    expect(committed!.preparedTransactionOffset).toBe(sent.commitLogOffset);
    expect(committed!.properties.has('REAL_TOPIC')).toBe(false);
    expect(committed!.properties.has('TRAN_MSG')).toBe(false);
    const ops = await queue(OP, 0, 1);
    expect(ops.map((op) => [op.properties.get('TAGS'), Buffer.from(op.body).toString()])).toEqual([
      ['d', '0'],
    ]);
  });

  it('rolls back: only the op record is stored', async () => {
    const sent = offsetsOf(await sendHalf());
    expect((await endTransaction(sent, TransactionType.ROLLBACK))?.code).toBe(ResponseCode.SUCCESS);
    expect(await queue(OP, 0, 1)).toHaveLength(1);
    expect(fixture.store.maxOffsetInQueue('Orders', 2)).toBe(0);
  });

  it('does nothing on UNKNOWN and answers nothing', async () => {
    const sent = offsetsOf(await sendHalf());
    expect(await endTransaction(sent, TransactionType.NOT_TYPE)).toBeUndefined();
    expect(fixture.store.maxOffsetInQueue(OP, 0)).toBe(0);
  });

  it('refuses another group or a wrong offset with SYSTEM_ERROR', async () => {
    const sent = offsetsOf(await sendHalf());
    const wrongGroup = await endTransaction(sent, TransactionType.COMMIT, 'other');
    expect([wrongGroup?.code, wrongGroup?.remark]).toEqual([
      ResponseCode.SYSTEM_ERROR,
      'The producer group wrong',
    ]);
    const wrongOffset = await endTransaction({ ...sent, tranStateTableOffset: 9 }, TransactionType.COMMIT);
    expect(wrongOffset?.remark).toBe('The transaction state table offset wrong');
    expect(fixture.store.maxOffsetInQueue('Orders', 2)).toBe(0);
  });
});

describe('check service run', () => {
  it('asks a live producer about an old half with the renewed copy, and stops once it is committed', async () => {
    const producers = new ProducerManager();
    const channel = new FakeChannel();
    producers.register('pg', 'client-1', channel, BORN);
    await sendHalf('ask-me');
    await queue(HALF, 0, 1);

    const young = await checkOnce(checkDeps(BORN + 5000, producers));
    expect([young.checked, young.nextHalfOffset]).toEqual([0, 0]);
    const first = await checkOnce(checkDeps(BORN + 7000, producers));
    expect([first.checked, first.nextHalfOffset]).toEqual([1, 1]);
    const [check] = channel.sent;
    expect(check?.code).toBe(RequestCode.CHECK_TRANSACTION_STATE);
    const h = decodeCheckTransactionStateRequestHeader(check?.extFields);
    expect(h.tranStateTableOffset).toBe(1);
    const [asked] = decodeRecords(Buffer.from(check!.body!));
    expect([asked?.topic, asked?.queueId, Buffer.from(asked!.body).toString()]).toEqual([
      'Orders',
      2,
      'ask-me',
    ]);
    expect(asked?.properties.get('TRANSACTION_CHECK_TIMES')).toBe('1');

    await queue(HALF, 0, 2);
    await endTransaction(h, TransactionType.COMMIT);
    await queue(OP, 0, 1);
    const after = await checkOnce(checkDeps(BORN + 8000, producers));
    expect([after.checked, after.done, after.nextHalfOffset, after.nextOpOffset]).toEqual([0, 1, 2, 1]);
    expect(channel.sent).toHaveLength(1);
    expect(offsets.queryOffset('CID_RMQ_SYS_TRANS', HALF, 0)).toBe(2);
    expect(await queue('Orders', 2, 1)).toHaveLength(1);
  });

  it('discards a half after transactionCheckMax checks with a log line, keeping it on TRANS_CHECK_MAX_TIME_TOPIC', async () => {
    const producers = new ProducerManager();
    await sendHalf('never-decided');
    await queue(HALF, 0, 1);
    expect((await checkOnce(checkDeps(BORN + 7000, producers, 1))).checked).toBe(1);
    expect(lines.some((l) => l.message === 'no live producer to ask about a transaction')).toBe(true);
    await queue(HALF, 0, 2);
    expect((await checkOnce(checkDeps(BORN + 8000, producers, 1))).discarded).toBe(1);
    const warned = lines.filter(
      (l) => l.level === 'warn' && l.message.startsWith('transaction half message discarded'),
    );
    expect(warned).toHaveLength(1);
    expect(warned[0]?.fields).toMatchObject({ producerGroup: 'pg', topic: 'Orders', checkTimes: 1 });
    const [kept] = await queue('TRANS_CHECK_MAX_TIME_TOPIC', 0, 1);
    expect(Buffer.from(kept!.body).toString()).toBe('never-decided');
  });
});
