import { RxRocketError } from '../errors.js';

/** A wrong or missing argument: the command prints it with a pointer to --help and exits 2. */
export class AdminUsageError extends RxRocketError {
  override readonly name = 'AdminUsageError';
  constructor(message: string) {
    super('ERR_ADMIN_USAGE', message);
  }
}
