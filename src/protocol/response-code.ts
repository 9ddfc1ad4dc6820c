/** RocketMQ response codes: RemotingSysResponseCode (0–4) plus the broker's ResponseCode.java. */
export const ResponseCode = {
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  TRANSACTION_FAILED: 4,
  FLUSH_DISK_TIMEOUT: 10,
  SLAVE_NOT_AVAILABLE: 11,
  FLUSH_SLAVE_TIMEOUT: 12,
  MESSAGE_ILLEGAL: 13,
  SERVICE_NOT_AVAILABLE: 14,
  VERSION_NOT_SUPPORTED: 15,
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  TOPIC_EXIST_ALREADY: 18,
  PULL_NOT_FOUND: 19,
  PULL_RETRY_IMMEDIATELY: 20,
  PULL_OFFSET_MOVED: 21,
  QUERY_NOT_FOUND: 22,
  SUBSCRIPTION_PARSE_FAILED: 23,
  SUBSCRIPTION_NOT_EXIST: 24,
  SUBSCRIPTION_NOT_LATEST: 25,
  SUBSCRIPTION_GROUP_NOT_EXIST: 26,
  FILTER_DATA_NOT_EXIST: 27,
  FILTER_DATA_NOT_LATEST: 28,
  TRANSACTION_SHOULD_COMMIT: 200,
  TRANSACTION_SHOULD_ROLLBACK: 201,
  TRANSACTION_STATE_UNKNOW: 202,
  TRANSACTION_STATE_GROUP_WRONG: 203,
  NO_BUYER_ID: 204,
  NOT_IN_CURRENT_UNIT: 205,
  CONSUMER_NOT_ONLINE: 206,
  CONSUME_MSG_TIMEOUT: 207,
  NO_MESSAGE: 208,
  UPDATE_AND_CREATE_ACL_CONFIG_FAILED: 209,
  DELETE_ACL_CONFIG_FAILED: 210,
  UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED: 211,
  FLOW_CONTROL: 215,
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

const names = new Map<number, string>(Object.entries(ResponseCode).map(([name, code]) => [code, name]));

/** The Java constant name for logs; unknown codes render as `UNKNOWN_<code>`. */
export function responseCodeName(code: number): string {
  return names.get(code) ?? `UNKNOWN_${code}`;
}

/**
 * The codes on which a Java producer tries the send again on another broker (DefaultMQProducer's
 * retryResponseCodes), plus SYSTEM_BUSY, which the broker uses for back-pressure and which clients retry.
 */
const retriable = new Set<number>([
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

export function isRetriableResponseCode(code: number): boolean {
  return retriable.has(code);
}

/**
 * FLUSH_DISK_TIMEOUT, SLAVE_NOT_AVAILABLE and FLUSH_SLAVE_TIMEOUT mean "stored, but not as durably as asked":
 * Java turns them into a SendResult with that SendStatus (not an error) and resends elsewhere only when
 * `retryAnotherBrokerWhenNotStoreOK` is set.
 */
export function isStoredNotOkResponseCode(code: number): boolean {
  return (
    code === ResponseCode.FLUSH_DISK_TIMEOUT ||
    code === ResponseCode.SLAVE_NOT_AVAILABLE ||
    code === ResponseCode.FLUSH_SLAVE_TIMEOUT
  );
}
