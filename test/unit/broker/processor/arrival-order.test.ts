import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrivalOrder } from '../../../../src/broker/processor/arrival-order.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ArrivalOrder', () => {
  it('acts in the order turns were taken, whatever order they ask in and whichever give up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.nat(3), giveUp: fc.boolean(), throws: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (requests) => {
          const order = new ArrivalOrder();
          const acted: number[] = [];
          const turns = requests.map(() => order.take());
          await Promise.all(
            requests.map(async ({ delay, giveUp, throws }, i) => {
              for (let t = 0; t < delay; t++) await tick();
              if (giveUp) {
                turns[i]!.release();
                return;
              }
              const result = turns[i]!.run(() => {
                acted.push(i);
                if (throws) throw new Error(`turn ${i}`);
                return i;
              });
              if (throws) await expect(result).rejects.toThrow(`turn ${i}`);
              else expect(await result).toBe(i);
            }),
          );
          const expected = requests.flatMap((r, i) => (r.giveUp ? [] : [i]));
          expect(acted).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lets the oldest turn act in the same tick when nothing is ahead of it', () => {
    const order = new ArrivalOrder();
    const first = order.take();
    const second = order.take();
    let acted = 0;
    void first.run(() => (acted += 1));
    expect(acted).toBe(1);
    void second.run(() => (acted += 1));
    expect(acted).toBe(2);
  });
});
