import { RxRocketError } from '../errors.js';
import { ResponseCode } from './response-code.js';

/**
 * A request whose custom header lacks a required field or has one of the wrong type. Java fails such requests
 * with SYSTEM_ERROR and the exception text as remark; processors answer with `responseCode` and `message`.
 */
export class BadRequestError extends RxRocketError {
  override readonly name = 'BadRequestError';
  constructor(
    message: string,
    readonly responseCode: number = ResponseCode.SYSTEM_ERROR,
  ) {
    super('ERR_BAD_REQUEST', message);
  }
}
