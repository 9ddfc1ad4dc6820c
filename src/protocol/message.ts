/**
 * Message shapes shared by the codec, the store and both sides of the wire. Longs are JS numbers: offsets
 * and timestamps stay far below 2^53.
 */
export interface HostAddress {
  /** Dotted IPv4 ("127.0.0.1") or IPv6 text ("::1"); IPv6 sets the *_V6 sysFlag bit in a record. */
  readonly address: string;
  readonly port: number;
}

/** MessageSysFlag bits. */
export const SysFlag = {
  COMPRESSED: 0x1,
  MULTI_TAGS: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  TRANSACTION_MASK: 0xc,
  BORNHOST_V6: 0x10,
  STOREHOST_V6: 0x20,
  COMPRESSION_ZLIB: 0x300,
  COMPRESSION_TYPE_MASK: 0x700,
} as const;

export const MESSAGE_MAGIC = 0xdaa320a7 | 0;
export const BLANK_MAGIC = 0xcbd43194 | 0;

/**
 * What the broker appends: a record before the store assigns its physical offset, queue offset and store
 * timestamp. `properties` is the already-encoded properties string (see properties.ts) so that the hot path
 * copies it instead of re-encoding.
 */
export interface MessageRecordInput {
  readonly topic: string;
  readonly queueId: number;
  readonly flag: number;
  readonly body: Uint8Array;
  readonly properties: string;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  /** Java String.hashCode of the TAGS property (0 without a tag); written to the ConsumeQueue, not the record. */
  readonly tagsCode: number;
}

/** The fields the store fills in when it appends a record. */
export interface StoredPosition {
  readonly physicalOffset: number;
  readonly queueOffset: number;
  readonly storeTimestamp: number;
}

/** A decoded CommitLog record (RocketMQ's MessageExt). */
export interface MessageExt {
  readonly storeSize: number;
  readonly bodyCRC: number;
  readonly queueId: number;
  readonly flag: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly bornHost: HostAddress;
  readonly storeTimestamp: number;
  readonly storeHost: HostAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  /** The body as stored: still compressed when sysFlag has COMPRESSED. */
  readonly body: Uint8Array;
  readonly topic: string;
  readonly properties: ReadonlyMap<string, string>;
  /** Offset msgId: store host + physical offset, upper-case hex. */
  readonly msgId: string;
}
