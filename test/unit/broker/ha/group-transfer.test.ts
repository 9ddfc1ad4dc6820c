import { describe, expect, it } from 'vitest';
import { GroupTransfer } from '../../../../src/broker/ha/group-transfer.js';

const transfer = (): GroupTransfer => new GroupTransfer({ timeoutMs: 100, maxGapBytes: 1000 });

describe('GroupTransfer', () => {
  it('answers SLAVE_NOT_AVAILABLE at once with no slave connected', async () => {
    await expect(transfer().wait(10, 0)).resolves.toBe('SLAVE_NOT_AVAILABLE');
  });

  it('answers SLAVE_NOT_AVAILABLE when the best slave lags more than the allowed gap', async () => {
    const t = transfer();
    t.reported(t.connected(), 500);
    await expect(t.wait(1501, 0)).resolves.toBe('SLAVE_NOT_AVAILABLE');
    const within = t.wait(1500, 0);
    t.expire(100);
    await expect(within).resolves.toBe('FLUSH_SLAVE_TIMEOUT');
  });

  it('resolves waiters in offset order as the furthest slave reports, and times out the rest', async () => {
    const t = transfer();
    const a = t.connected();
    const b = t.connected();
    const outcomes: string[] = [];
    const first = t.wait(100, 0).then((s) => outcomes.push(`100:${s}`));
    const second = t.wait(200, 0).then((s) => outcomes.push(`200:${s}`));
    const third = t.wait(300, 50).then((s) => outcomes.push(`300:${s}`));
    t.reported(a, 150);
    t.reported(b, 220);
    await Promise.all([first, second]);
    t.expire(100);
    expect(outcomes).toEqual(['100:PUT_OK', '200:PUT_OK']);
    t.expire(150);
    await third;
    expect(outcomes).toEqual(['100:PUT_OK', '200:PUT_OK', '300:FLUSH_SLAVE_TIMEOUT']);
  });

  it('forgets a disconnected slave and fails every waiter at shutdown', async () => {
    const t = transfer();
    const id = t.connected();
    t.reported(id, 50);
    const waiting = t.wait(60, 0);
    t.disconnected(id);
    expect(t.connectedSlaves).toBe(0);
    expect(t.slaveOffset).toBe(-1);
    t.failAll();
    await expect(waiting).resolves.toBe('FLUSH_SLAVE_TIMEOUT');
  });
});
