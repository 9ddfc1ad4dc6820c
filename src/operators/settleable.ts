import type { RetryOptions } from '../client/consumer-message.js';

/** What the acknowledgement operators need of a message: a ConsumerMessage, or anything wrapping one. */
export interface Settleable {
  readonly msgId: string;
  ack(): void;
  retry(options?: RetryOptions): void;
}

/** What became of one message: acknowledged, or handed back for redelivery with the handler's last error. */
export type Settled<M> =
  | { readonly outcome: 'ack'; readonly message: M }
  | { readonly outcome: 'retry'; readonly message: M; readonly error: unknown };
