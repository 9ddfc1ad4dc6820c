import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose assertions are vitest's deep equality. */
export const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
