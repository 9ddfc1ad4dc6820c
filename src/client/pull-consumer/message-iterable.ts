import { type AsyncIterableX, defer, from } from 'ix/asynciterable';
import { finalize } from 'ix/asynciterable/operators';

export interface MessageSource<T> {
  /** Starts whatever feeds next() and returns how to stop it; throws when reading is not allowed. */
  lease(): () => void;
  /** The next item, waiting for one; undefined once the source is over. */
  next(): Promise<T | undefined>;
}

async function* drain<T>(source: MessageSource<T>): AsyncGenerator<T> {
  for (;;) {
    const item = await source.next();
    if (item === undefined) return;
    yield item;
  }
}

/**
 * One lease per iteration, taken when it starts and given back however it ends: exhausted, broken out of
 * (`break` calls return()), or failed. So `for await` holds the pull loops only for as long as it runs.
 */
export function messageIterable<T>(source: MessageSource<T>): AsyncIterableX<T> {
  return defer(() => {
    const release = source.lease();
    return from(drain(source)).pipe(finalize(release));
  });
}
