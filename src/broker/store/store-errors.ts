import { RxRocketError } from '../../errors.js';
import { ResponseCode } from '../../protocol/response-code.js';

/**
 * The store cannot take writes now: disk above its limit, shutting down, a slave, or a file it could not
 * create. Reads go on. RocketMQ answers SERVICE_NOT_AVAILABLE (14).
 */
export class StoreUnavailableError extends RxRocketError {
  override readonly name = 'StoreUnavailableError';
  readonly responseCode = ResponseCode.SERVICE_NOT_AVAILABLE;
  constructor(message: string, cause?: unknown) {
    super('ERR_STORE_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** More bytes wait for the disk than the store will buffer; RocketMQ's "[PC_SYNCHRONIZED]broker busy". */
export class StoreBusyError extends RxRocketError {
  override readonly name = 'StoreBusyError';
  readonly responseCode = ResponseCode.SYSTEM_BUSY;
  constructor(message: string) {
    super('ERR_STORE_BUSY', message, { retriable: true });
  }
}

/** Another live process holds the store directory's lock file. */
export class StoreLockedError extends RxRocketError {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly path: string,
    readonly ownerPid: number,
  ) {
    super('ERR_STORE_LOCKED', `${path} is held by process ${ownerPid}; one broker per store directory`);
  }
}
