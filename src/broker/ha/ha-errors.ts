import { RxRocketError } from '../../errors.js';

/** A frame that cannot be valid (a negative offset or size, an offset past 2^53), or an offset out of turn. */
export class HaProtocolError extends RxRocketError {
  override readonly name = 'HaProtocolError';
  constructor(message: string) {
    super('ERR_HA_PROTOCOL', message, { retriable: true });
  }
}

/** The replication connection ended; the slave connects again after its backoff. */
export class HaConnectionClosedError extends RxRocketError {
  override readonly name = 'HaConnectionClosedError';
  constructor(readonly address: string) {
    super('ERR_HA_CLOSED', `the HA connection to ${address} closed`, { retriable: true });
  }
}

/** A slave that has no master HA address yet: neither --ha-master nor a name server's answer gave one. */
export class HaMasterUnknownError extends RxRocketError {
  override readonly name = 'HaMasterUnknownError';
  constructor() {
    super('ERR_HA_MASTER_UNKNOWN', 'no master HA address yet (none configured, none from a name server)', {
      retriable: true,
    });
  }
}
