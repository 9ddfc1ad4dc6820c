import { type OperatorFunction, mergeMap, of, EMPTY } from 'rxjs';
import { CONTENT_TYPE_PROPERTY, ContentType, decodeBody as decodeBytes } from '../client/body-codec.js';
import type { ConsumerMessage } from '../client/consumer-message.js';
import { type Logger, silentLogger } from '../logger.js';

export type BodyFormat = 'auto' | 'cbor' | 'json' | 'text';

export interface DecodeBodyOptions {
  /** 'auto' (default) decodes by the CONTENT_TYPE property and leaves bytes without one as they are. */
  readonly as?: BodyFormat;
  readonly logger?: Logger;
}

/** The message with its decoded body; everything else, ack() and retry() included, is the message's own. */
export type Decoded<M, T> = M & { readonly value: T };

const FORMAT_TYPES: Readonly<Record<Exclude<BodyFormat, 'auto'>, string>> = {
  cbor: ContentType.CBOR,
  json: ContentType.JSON,
  text: ContentType.TEXT,
};

/**
 * Adds `value`, the body decoded (cbor-x, JSON or UTF-8). The result inherits from the message, so reading
 * any field or calling ack() reaches the original. A body that does not decode is logged and retried
 * through the broker (after maxReconsumeTimes it rests in the DLQ) and is not emitted; the stream goes on.
 */
export function decodeBody<T = unknown, M extends ConsumerMessage = ConsumerMessage>(
  options: DecodeBodyOptions = {},
): OperatorFunction<M, Decoded<M, T>> {
  const logger = options.logger ?? silentLogger;
  const format = options.as ?? 'auto';
  return mergeMap((message: M) => {
    const contentType =
      format === 'auto' ? message.properties.get(CONTENT_TYPE_PROPERTY) : FORMAT_TYPES[format];
    let value: T;
    try {
      value = decodeBytes(message.body, contentType) as T;
    } catch (error) {
      logger.warn(
        { msgId: message.msgId, contentType, error: String(error) },
        'message body does not decode; handed back for redelivery',
      );
      message.retry();
      return EMPTY;
    }
    const decoded = Object.create(message, {
      value: { value, enumerable: true },
    }) as Decoded<M, T>;
    return of(decoded);
  });
}
