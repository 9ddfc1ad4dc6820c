import { RxRocketError } from '../errors.js';

/** A message the store refuses as malformed or too large; RocketMQ's MESSAGE_ILLEGAL (13). */
export class MessageIllegalError extends RxRocketError {
  override readonly name = 'MessageIllegalError';
  readonly responseCode = 13;
  constructor(message: string) {
    super('ERR_MESSAGE_ILLEGAL', message);
  }
}
