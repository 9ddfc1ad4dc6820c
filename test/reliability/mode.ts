/**
 * The reliability suite's two sizes: CI runs each scenario small enough to finish in a few minutes in all;
 * `RXROCKET_RELIABILITY=long` runs the sizes the issue names (100 000 fuzzed frames and so on) by hand.
 */
export const longMode = process.env.RXROCKET_RELIABILITY === 'long';

/** `ci` in CI mode, `long` in long mode. */
export const bySize = <T>(ci: T, long: T): T => (longMode ? long : ci);
