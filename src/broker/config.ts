/**
 * The broker's settings under RocketMQ's own key names (BrokerConfig, NettyServerConfig and
 * MessageStoreConfig merged, as broker.conf mixes them), with RocketMQ's defaults except where RxRocket's
 * dev-mode defaults differ (brokerName broker-a, brokerIP1 127.0.0.1, storePathRootDir ./store).
 */
export const BROKER_ROLES = ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];
export const FLUSH_DISK_TYPES = ['ASYNC_FLUSH', 'SYNC_FLUSH'] as const;
export type FlushDiskType = (typeof FLUSH_DISK_TYPES)[number];

export interface BrokerConfig {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  /** 0 = master; forced to 0 for master roles, ≥ 1 required for SLAVE. */
  readonly brokerId: number;
  readonly brokerRole: BrokerRole;
  /** "host:port;host:port"; undefined = no name server (dev mode fills in the embedded one). */
  readonly namesrvAddr: string | undefined;
  /** The address announced to name servers and clients. */
  readonly brokerIP1: string;
  /** The address announced for HA; defaults to brokerIP1. */
  readonly brokerIP2: string | undefined;
  /** RxRocket: bind address of the broker port; defaults to brokerIP1. */
  readonly listenHost: string | undefined;
  readonly listenPort: number;
  /** RxRocket: bind address of the HA port; defaults to listenHost. */
  readonly haListenHost: string | undefined;
  readonly haListenPort: number;
  /** A client connection with no bytes either way for this long is closed (NettyServerConfig's, 120 s; 0 = never). */
  readonly serverChannelMaxIdleTimeSeconds: number;
  /** A slave's master HA address "host:port"; undefined = learn it from the name server. */
  readonly haMasterAddress: string | undefined;
  readonly brokerPermission: number;
  readonly autoCreateTopicEnable: boolean;
  readonly autoCreateSubscriptionGroup: boolean;
  readonly clusterTopicEnable: boolean;
  readonly brokerTopicEnable: boolean;
  readonly traceTopicEnable: boolean;
  readonly msgTraceTopicName: string;
  readonly defaultTopicQueueNums: number;
  readonly registerNameServerPeriod: number;
  readonly registerBrokerTimeoutMills: number;
  readonly forceRegister: boolean;
  readonly compressedRegister: boolean;
  readonly longPollingEnable: boolean;
  readonly shortPollingTimeMills: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
  readonly transactionCheckInterval: number;
  readonly transactionTimeOut: number;
  readonly transactionCheckMax: number;
  readonly rejectTransactionMessage: boolean;
  readonly slaveReadEnable: boolean;
  readonly enablePropertyFilter: boolean;
  readonly filterSupportRetry: boolean;
  readonly waitTimeMillsInSendQueue: number;
  readonly flushConsumerOffsetInterval: number;
  /**
   * rocketmq.broker.rebalance.lockMaxLiveTime: an orderly consumer's queue lock not renewed for this long is
   * free again (60 s), e.g. after the consumer was killed.
   */
  readonly rebalanceLockMaxLiveTime: number;
  /** Delay levels, e.g. "1s 5s 10s 30s 1m … 2h" (units s, m, h, d). */
  readonly messageDelayLevel: string;
  readonly flushDelayOffsetInterval: number;
  /** The furthest ahead a message's delivery time (TIMER_DELIVER_MS, deliverAt) may be: 7 days. */
  readonly timerMaxDelaySec: number;
  /** Width of one timer slot: a timed message is delivered at most this much (plus a tick) after its time. */
  readonly timerPrecisionMs: number;
  readonly storePathRootDir: string;
  /** Defaults to storePathRootDir/commitlog. */
  readonly storePathCommitLog: string | undefined;
  readonly mappedFileSizeCommitLog: number;
  readonly mappedFileSizeConsumeQueue: number;
  readonly flushDiskType: FlushDiskType;
  readonly syncFlushTimeout: number;
  readonly flushIntervalCommitLog: number;
  readonly flushCommitLogTimed: boolean;
  readonly flushCommitLogLeastPages: number;
  readonly flushCommitLogThoroughInterval: number;
  readonly flushIntervalConsumeQueue: number;
  readonly flushConsumeQueueLeastPages: number;
  readonly flushConsumeQueueThoroughInterval: number;
  readonly commitIntervalCommitLog: number;
  readonly commitCommitLogLeastPages: number;
  readonly commitCommitLogThoroughInterval: number;
  readonly transientStorePoolEnable: boolean;
  readonly transientStorePoolSize: number;
  /** Hours of the day (0–23) when expired files are deleted, "04" or "04;16". */
  readonly deleteWhen: string;
  readonly fileReservedTime: number;
  readonly diskMaxUsedSpaceRatio: number;
  /** Percent of disk use above which puts are refused as "disk full" (RocketMQ 5's; 4.x's system property, 90). */
  readonly diskSpaceWarningLevelRatio: number;
  /**
   * RxRocket: free MiB on the store's file system below which puts are refused as "disk full" too, however
   * large the disk (0 = no such floor).
   */
  readonly diskMinFreeSpaceMB: number;
  readonly cleanResourceInterval: number;
  readonly maxMessageSize: number;
  readonly checkCRCOnRecover: boolean;
  readonly messageIndexEnable: boolean;
  readonly maxHashSlotNum: number;
  readonly maxIndexNum: number;
  readonly defaultQueryMaxNum: number;
  readonly accessMessageInMemoryMaxRatio: number;
  readonly maxTransferBytesOnMessageInMemory: number;
  readonly maxTransferCountOnMessageInMemory: number;
  readonly maxTransferBytesOnMessageInDisk: number;
  readonly maxTransferCountOnMessageInDisk: number;
  readonly haSendHeartbeatInterval: number;
  readonly haHousekeepingInterval: number;
  readonly haTransferBatchSize: number;
  readonly haSlaveFallbehindMax: number;
  readonly osPageCacheBusyTimeOutMills: number;
}

type Kind<T> = [T] extends [boolean]
  ? 'bool'
  : [T] extends [number]
    ? 'int'
    : undefined extends T
      ? 'optional'
      : string extends T
        ? 'string'
        : readonly T[];

interface Field<T> {
  readonly kind: Kind<T>;
  readonly default: T;
}

const FIELDS: { readonly [K in keyof BrokerConfig]: Field<BrokerConfig[K]> } = {
  brokerClusterName: { kind: 'string', default: 'DefaultCluster' },
  brokerName: { kind: 'string', default: 'broker-a' },
  brokerId: { kind: 'int', default: 0 },
  brokerRole: { kind: BROKER_ROLES, default: 'ASYNC_MASTER' },
  namesrvAddr: { kind: 'optional', default: undefined },
  brokerIP1: { kind: 'string', default: '127.0.0.1' },
  brokerIP2: { kind: 'optional', default: undefined },
  listenHost: { kind: 'optional', default: undefined },
  listenPort: { kind: 'int', default: 10911 },
  haListenHost: { kind: 'optional', default: undefined },
  haListenPort: { kind: 'int', default: 10912 },
  serverChannelMaxIdleTimeSeconds: { kind: 'int', default: 120 },
  haMasterAddress: { kind: 'optional', default: undefined },
  brokerPermission: { kind: 'int', default: 6 },
  autoCreateTopicEnable: { kind: 'bool', default: true },
  autoCreateSubscriptionGroup: { kind: 'bool', default: true },
  clusterTopicEnable: { kind: 'bool', default: true },
  brokerTopicEnable: { kind: 'bool', default: true },
  traceTopicEnable: { kind: 'bool', default: false },
  msgTraceTopicName: { kind: 'string', default: 'RMQ_SYS_TRACE_TOPIC' },
  defaultTopicQueueNums: { kind: 'int', default: 8 },
  registerNameServerPeriod: { kind: 'int', default: 30_000 },
  registerBrokerTimeoutMills: { kind: 'int', default: 6_000 },
  forceRegister: { kind: 'bool', default: true },
  compressedRegister: { kind: 'bool', default: false },
  longPollingEnable: { kind: 'bool', default: true },
  shortPollingTimeMills: { kind: 'int', default: 1_000 },
  notifyConsumerIdsChangedEnable: { kind: 'bool', default: true },
  transactionCheckInterval: { kind: 'int', default: 60_000 },
  transactionTimeOut: { kind: 'int', default: 6_000 },
  transactionCheckMax: { kind: 'int', default: 15 },
  rejectTransactionMessage: { kind: 'bool', default: false },
  slaveReadEnable: { kind: 'bool', default: false },
  enablePropertyFilter: { kind: 'bool', default: false },
  filterSupportRetry: { kind: 'bool', default: false },
  waitTimeMillsInSendQueue: { kind: 'int', default: 200 },
  flushConsumerOffsetInterval: { kind: 'int', default: 5_000 },
  rebalanceLockMaxLiveTime: { kind: 'int', default: 60_000 },
  messageDelayLevel: {
    kind: 'string',
    default: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
  },
  flushDelayOffsetInterval: { kind: 'int', default: 10_000 },
  timerMaxDelaySec: { kind: 'int', default: 7 * 24 * 3600 },
  timerPrecisionMs: { kind: 'int', default: 100 },
  storePathRootDir: { kind: 'string', default: './store' },
  storePathCommitLog: { kind: 'optional', default: undefined },
  mappedFileSizeCommitLog: { kind: 'int', default: 1024 * 1024 * 1024 },
  mappedFileSizeConsumeQueue: { kind: 'int', default: 300_000 * 20 },
  flushDiskType: { kind: FLUSH_DISK_TYPES, default: 'ASYNC_FLUSH' },
  syncFlushTimeout: { kind: 'int', default: 5_000 },
  flushIntervalCommitLog: { kind: 'int', default: 500 },
  flushCommitLogTimed: { kind: 'bool', default: true },
  flushCommitLogLeastPages: { kind: 'int', default: 4 },
  flushCommitLogThoroughInterval: { kind: 'int', default: 10_000 },
  flushIntervalConsumeQueue: { kind: 'int', default: 1_000 },
  flushConsumeQueueLeastPages: { kind: 'int', default: 2 },
  flushConsumeQueueThoroughInterval: { kind: 'int', default: 60_000 },
  commitIntervalCommitLog: { kind: 'int', default: 200 },
  commitCommitLogLeastPages: { kind: 'int', default: 4 },
  commitCommitLogThoroughInterval: { kind: 'int', default: 200 },
  transientStorePoolEnable: { kind: 'bool', default: false },
  transientStorePoolSize: { kind: 'int', default: 5 },
  deleteWhen: { kind: 'string', default: '04' },
  fileReservedTime: { kind: 'int', default: 72 },
  diskMaxUsedSpaceRatio: { kind: 'int', default: 75 },
  diskSpaceWarningLevelRatio: { kind: 'int', default: 90 },
  diskMinFreeSpaceMB: { kind: 'int', default: 0 },
  cleanResourceInterval: { kind: 'int', default: 10_000 },
  maxMessageSize: { kind: 'int', default: 4 * 1024 * 1024 },
  checkCRCOnRecover: { kind: 'bool', default: true },
  messageIndexEnable: { kind: 'bool', default: true },
  maxHashSlotNum: { kind: 'int', default: 5_000_000 },
  maxIndexNum: { kind: 'int', default: 20_000_000 },
  defaultQueryMaxNum: { kind: 'int', default: 32 },
  accessMessageInMemoryMaxRatio: { kind: 'int', default: 40 },
  maxTransferBytesOnMessageInMemory: { kind: 'int', default: 256 * 1024 },
  maxTransferCountOnMessageInMemory: { kind: 'int', default: 32 },
  maxTransferBytesOnMessageInDisk: { kind: 'int', default: 64 * 1024 },
  maxTransferCountOnMessageInDisk: { kind: 'int', default: 8 },
  haSendHeartbeatInterval: { kind: 'int', default: 5_000 },
  haHousekeepingInterval: { kind: 'int', default: 20_000 },
  haTransferBatchSize: { kind: 'int', default: 32 * 1024 },
  haSlaveFallbehindMax: { kind: 'int', default: 256 * 1024 * 1024 },
  osPageCacheBusyTimeOutMills: { kind: 'int', default: 1_000 },
};

export type BrokerConfigKey = keyof BrokerConfig;
export const BROKER_CONFIG_KEYS = Object.keys(FIELDS) as readonly BrokerConfigKey[];

export const DEFAULT_BROKER_CONFIG: BrokerConfig = Object.fromEntries(
  BROKER_CONFIG_KEYS.map((key) => [key, FIELDS[key].default]),
) as unknown as BrokerConfig;

/** Spellings older RocketMQ releases used in broker.conf. */
const ALIASES: Readonly<Record<string, BrokerConfigKey>> = {
  mapedFileSizeCommitLog: 'mappedFileSizeCommitLog',
  mapedFileSizeConsumeQueue: 'mappedFileSizeConsumeQueue',
};

/** RocketMQ keys that tune Java internals (thread pools, Netty); accepted and ignored with a notice. */
const JAVA_ONLY_KEYS =
  /^(?:\w*ThreadPool\w*|\w*QueueCapacity|server\w*Threads|serverSocket(?:Snd|Rcv)BufSize|serverPooledByteBufAllocatorEnable|useEpollNativeSelector|rocketmqHome)$/;

export function isBrokerConfigKey(key: string): key is BrokerConfigKey {
  return Object.hasOwn(FIELDS, key);
}

export type ResolvedKey =
  | { readonly kind: 'key'; readonly key: BrokerConfigKey; readonly alias?: string }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'unknown' };

export function resolveConfigKey(name: string): ResolvedKey {
  if (isBrokerConfigKey(name)) return { kind: 'key', key: name };
  const alias = ALIASES[name];
  if (alias !== undefined) return { kind: 'key', key: alias, alias: name };
  return JAVA_ONLY_KEYS.test(name) ? { kind: 'ignored' } : { kind: 'unknown' };
}

const INTEGER = /^[+-]?\d+$/;

/** Converts a text value for `key`; throws a plain message (the caller adds where it came from). */
export function convertConfigValue(key: BrokerConfigKey, text: string): BrokerConfig[BrokerConfigKey] {
  const kind = FIELDS[key].kind as string | readonly string[];
  const value = text.trim();
  if (kind === 'string') return value;
  if (kind === 'optional') return value === '' ? undefined : value;
  if (kind === 'int') {
    const n = Number(value);
    if (!INTEGER.test(value) || !Number.isSafeInteger(n))
      throw new Error(`expected an integer, got "${text}"`);
    return n;
  }
  if (kind === 'bool') {
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw new Error(`expected true or false, got "${text}"`);
    return lower === 'true';
  }
  if (typeof kind === 'string') throw new Error(`unsupported kind ${kind}`);
  const upper = value.toUpperCase();
  if (!kind.includes(upper)) throw new Error(`expected one of ${kind.join(', ')}, got "${text}"`);
  return upper;
}
