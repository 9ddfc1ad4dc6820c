import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetWaiters } from '../../../../src/broker/store/offset-waiters.js';

describe('OffsetWaiters', () => {
  it('resolves exactly the waiters a position covers, in order, and times out the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 200 }),
        fc.nat(),
        (sizes, cut) => {
          const waiters = new OffsetWaiters();
          const outcome: (boolean | undefined)[] = sizes.map(() => undefined);
          let end = 0;
          const ends = sizes.map((size, i) => {
            end += size;
            const at = end;
            waiters.wait(at, i, (reached) => {
              outcome[i] = reached;
            });
            return at;
          });
          const position = cut % (end + 1);
          waiters.advance(position);
          expect(outcome).toEqual(ends.map((at) => (at <= position ? true : undefined)));
          waiters.expire(sizes.length);
          expect(outcome).toEqual(ends.map((at) => at <= position));
          expect(waiters.size).toBe(0);
        },
      ),
    );
  });
});
