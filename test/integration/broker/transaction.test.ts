import { NEVER, firstValueFrom, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LocalTransactionState, TransactionMessage } from '../../../src/client/transaction-check.js';
import type { BrokerProcess } from '../../../src/testing/broker-process.js';
import {
  bodyOf,
  checkArgs,
  eventually,
  useTransactionFixture,
} from '../../fixtures/broker/transaction-fixture.js';

const fixture = useTransactionFixture();

/** A checker that answers by the message body and counts how often each body was asked about. */
function checker(answers: Readonly<Record<string, LocalTransactionState>>) {
  const asked = new Map<string, number>();
  const check = (message: TransactionMessage): LocalTransactionState => {
    const body = bodyOf(message);
    asked.set(body, (asked.get(body) ?? 0) + 1);
    return answers[body] ?? 'UNKNOWN';
  };
  return { asked, check };
}

const bodies = (messages: readonly { body: Uint8Array }[]): string[] =>
  messages.map((m) => Buffer.from(m.body).toString()).sort();

describe('broker process: transactional messages', () => {
  it('delivers a committed message once and a rolled-back one never, without a check', async () => {
    const b = await fixture.broker();
    const { asked, check } = checker({});
    const p = fixture.producer(b, { checkTransaction: check });
    const committed = await firstValueFrom(
      p.sendInTransaction$({ topic: 'TxOrders', body: 'commit-me', tags: 'T' }, () =>
        Promise.resolve('COMMIT'),
      ),
    );
    const rolledBack = await firstValueFrom(
      p.sendInTransaction$({ topic: 'TxOrders', body: 'roll-me-back' }, () => 'ROLLBACK'),
    );
    expect(committed.localTransactionState).toBe('COMMIT');
    expect(committed.transactionId).toBe(committed.msgId);
    expect(rolledBack.localTransactionState).toBe('ROLLBACK');

    await fixture.checksSettled(b);
    const delivered = await fixture.readAll(b, 'TxOrders');
    expect(bodies(delivered)).toEqual(['commit-me']);
    const [message] = delivered;
    expect(message?.properties.get('UNIQ_KEY')).toBe(committed.msgId);
    expect(message?.properties.get('TAGS')).toBe('T');
    expect(message?.properties.has('REAL_TOPIC')).toBe(false);
    expect(message?.properties.has('TRAN_MSG')).toBe(false);
    expect(asked.size).toBe(0);
  });

  it('resolves UNKNOWN through the check: COMMIT delivers once, ROLLBACK never', async () => {
    const b = await fixture.broker();
    const { asked, check } = checker({ 'later-commit': 'COMMIT', 'later-rollback': 'ROLLBACK' });
    const p = fixture.producer(b, { checkTransaction: check });
    for (const body of ['later-commit', 'later-rollback']) {
      const result = await firstValueFrom(p.sendInTransaction$({ topic: 'TxLater', body }, () => 'UNKNOWN'));
      expect(result.localTransactionState).toBe('UNKNOWN');
    }
    expect(await fixture.readAll(b, 'TxLater')).toEqual([]);

    await fixture.checksSettled(b);
    expect(bodies(await fixture.readAll(b, 'TxLater'))).toEqual(['later-commit']);
    expect(asked.get('later-commit')).toBeGreaterThanOrEqual(1);
    expect(asked.get('later-rollback')).toBeGreaterThanOrEqual(1);
  });

  it('asks another producer of the group when the first died before END_TRANSACTION', async () => {
    const b = await fixture.broker();
    const first = fixture.producer(b, { instanceName: 'dies', checkTransaction: () => 'UNKNOWN' });
    // The local transaction never finishes: the producer shuts down with the half message unanswered.
    const pending = firstValueFrom(
      first.sendInTransaction$({ topic: 'TxOrphan', body: 'orphan' }, () => NEVER).pipe(timeout(1500)),
    );
    await expect(pending).rejects.toThrow();
    await first.shutdown();
    const { asked, check } = checker({ orphan: 'COMMIT' });
    const survivor = fixture.producer(b, { instanceName: 'survivor', checkTransaction: check });
    // A producer learns its brokers from a topic route; it heartbeats (and so can be asked) only then.
    await firstValueFrom(survivor.send$({ topic: 'TxWarmUp', body: 'route' }));

    await fixture.checksSettled(b);
    await eventually(
      () => fixture.readAll(b, 'TxOrphan'),
      (messages) => messages.length > 0,
    );
    expect(bodies(await fixture.readAll(b, 'TxOrphan'))).toEqual(['orphan']);
    expect(asked.get('orphan')).toBeGreaterThanOrEqual(1);
  });

  it('discards a half message still UNKNOWN after transactionCheckMax checks, keeping it aside', async () => {
    const b = await fixture.broker(checkArgs(3));
    const { asked, check } = checker({});
    const p = fixture.producer(b, { checkTransaction: check });
    await firstValueFrom(p.sendInTransaction$({ topic: 'TxNever', body: 'undecided' }, () => 'UNKNOWN'));

    await fixture.checksSettled(b);
    const discarded = await fixture.readAll(b, 'TRANS_CHECK_MAX_TIME_TOPIC', 1);
    expect(bodies(discarded)).toEqual(['undecided']);
    expect(discarded[0]?.properties.get('TRANSACTION_CHECK_TIMES')).toBe('3');
    expect(asked.get('undecided')).toBe(3);
    expect(await fixture.readAll(b, 'TxNever')).toEqual([]);
  });

  it.each([
    ['a clean restart', (b: BrokerProcess) => b.restart()],
    [
      'a crash (SIGKILL) and restart',
      async (b: BrokerProcess) => {
        await b.kill();
        await b.restart();
      },
    ],
  ])('resolves halves left pending across %s, each once', async (_, restart) => {
    const b = await fixture.broker();
    let decided = false;
    const answers: Record<string, LocalTransactionState> = {
      'restart-commit': 'COMMIT',
      'restart-rollback': 'ROLLBACK',
    };
    const asked: string[] = [];
    const p = fixture.producer(b, {
      checkTransaction: (message) => {
        asked.push(bodyOf(message));
        return decided ? (answers[bodyOf(message)] ?? 'UNKNOWN') : 'UNKNOWN';
      },
    });
    for (const body of ['restart-commit', 'restart-rollback']) {
      await firstValueFrom(p.sendInTransaction$({ topic: 'TxRestart', body }, () => 'UNKNOWN'));
    }
    // Checked at least once before the restart, and still pending.
    await eventually(
      () => Promise.resolve(new Set(asked).size),
      (n) => n === 2,
    );
    await restart(b);
    decided = true;

    await fixture.checksSettled(b);
    expect(bodies(await fixture.readAll(b, 'TxRestart'))).toEqual(['restart-commit']);
  });
});
