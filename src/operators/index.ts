/** RxJS operators for consumer pipelines: `import { ackOnSuccess, idempotent } from 'rxrocket/operators'`. */
export { ackOnSuccess } from './ack-on-success.js';
export type { AckOnSuccessOptions } from './ack-on-success.js';
export { consumeInOrder } from './consume-in-order.js';
export type { ConsumeInOrderOptions } from './consume-in-order.js';
export { decodeBody } from './decode-body.js';
export type { BodyFormat, Decoded, DecodeBodyOptions } from './decode-body.js';
export { idempotent } from './idempotent.js';
export type { IdempotentOptions } from './idempotent.js';
export type { IdempotencyState, IdempotencyStore } from './idempotency-store.js';
export { MemoryIdempotencyStore } from './memory-idempotency-store.js';
export { RedisIdempotencyStore } from './redis-idempotency-store.js';
export type { RedisIdempotencyStoreOptions } from './redis-idempotency-store.js';
export { backoffDelay, retryBackoff } from './retry-backoff.js';
export type { BackoffOptions } from './retry-backoff.js';
export type { Settleable, Settled } from './settleable.js';
