/**
 * Every error RxRocket raises or puts into an Observable is one of these. `code` is a stable string for
 * programs; `responseCode` is RocketMQ's numeric code where the error corresponds to one.
 */
export interface RxRocketErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

export class RxRocketError extends Error {
  override readonly name: string = 'RxRocketError';
  readonly retriable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: RxRocketErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
  }
}

/** Bytes on the wire that do not form a valid RocketMQ frame or record. */
export class ProtocolError extends RxRocketError {
  override readonly name = 'ProtocolError';
  constructor(message: string, options: RxRocketErrorOptions = {}) {
    super('ERR_PROTOCOL', message, options);
  }
}

/** A frame longer than the configured maximum (16 MiB by default). */
export class FrameTooLargeError extends RxRocketError {
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly frameLength: number,
    readonly maxFrameLength: number,
  ) {
    super('ERR_FRAME_TOO_LARGE', `frame of ${frameLength} bytes exceeds the maximum of ${maxFrameLength}`);
  }
}

/** A call that got no response within its time limit. */
export class RemotingTimeoutError extends RxRocketError {
  override readonly name = 'RemotingTimeoutError';
  constructor(
    readonly address: string,
    readonly timeoutMs: number,
    detail = '',
  ) {
    super(
      'ERR_REMOTING_TIMEOUT',
      `no response from ${address} within ${timeoutMs} ms${detail ? `: ${detail}` : ''}`,
      {
        retriable: true,
      },
    );
  }
}

/** A connection that could not be opened, or closed while calls were waiting on it. */
export class RemotingConnectionError extends RxRocketError {
  override readonly name = 'RemotingConnectionError';
  constructor(
    readonly address: string,
    message: string,
    options: RxRocketErrorOptions = {},
  ) {
    super('ERR_REMOTING_CONNECTION', `${address}: ${message}`, { retriable: true, ...options });
  }
}

/** The broker or name server answered with a non-success RocketMQ response code. */
export class MQBrokerError extends RxRocketError {
  override readonly name = 'MQBrokerError';
  constructor(
    readonly responseCode: number,
    readonly remark: string,
    readonly address = '',
    options: RxRocketErrorOptions = {},
  ) {
    super(
      'ERR_BROKER_RESPONSE',
      `code ${responseCode}${address ? ` from ${address}` : ''}: ${remark}`,
      options,
    );
  }
}

/** A client-side failure: bad arguments, no route, state that does not allow the call. */
export class MQClientError extends RxRocketError {
  override readonly name = 'MQClientError';
  constructor(
    code: string,
    message: string,
    readonly responseCode = -1,
    options: RxRocketErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** The broker could not start: a port taken, the store locked by another process, a setting it cannot honour. */
export class BrokerStartError extends RxRocketError {
  override readonly name = 'BrokerStartError';
  constructor(message: string, options: RxRocketErrorOptions = {}) {
    super('ERR_BROKER_START', message, options);
  }
}

/** A broker child process (src/testing) exited or stayed silent before it was ready. */
export class BrokerProcessError extends RxRocketError {
  override readonly name = 'BrokerProcessError';
  constructor(
    message: string,
    /** The last lines the process wrote to stderr, for the test report. */
    readonly stderr: string,
  ) {
    super('ERR_BROKER_PROCESS', stderr === '' ? message : `${message}\n${stderr}`);
  }
}
