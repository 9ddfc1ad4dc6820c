/**
 * Turns the merged key values (defaults < file < flags) into a BrokerConfig that is consistent: derived
 * addresses filled in, the role and id agreeing as RocketMQ's BrokerStartup makes them agree, and values
 * checked that would otherwise fail late (ports, delay levels, deleteWhen, addresses).
 */
import { join } from 'node:path';
import { type BrokerConfig, type BrokerConfigKey, DEFAULT_BROKER_CONFIG } from './config.js';

export interface ResolvedBrokerConfig {
  readonly config: BrokerConfig;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:;[\]]+):(\d{1,5})$/;
const DELAY_LEVEL = /^\d+[smhd]$/;

export function isHostPort(text: string): boolean {
  const match = HOST_PORT.exec(text);
  return match !== null && Number(match[1]) <= 65535;
}

/** Writable copy of a BrokerConfig, for building one step by step. */
type Draft = { -readonly [K in keyof BrokerConfig]: BrokerConfig[K] };

export function resolveBrokerConfig(
  values: Partial<Record<BrokerConfigKey, unknown>>,
  explicit: ReadonlySet<BrokerConfigKey>,
): ResolvedBrokerConfig {
  const c = { ...DEFAULT_BROKER_CONFIG, ...values } as Draft;
  const warnings: string[] = [];
  const errors: string[] = [];

  if (c.listenHost === undefined) c.listenHost = c.brokerIP1;
  else if (!explicit.has('brokerIP1') && !WILDCARD_HOSTS.has(c.listenHost)) c.brokerIP1 = c.listenHost;
  c.brokerIP2 ??= c.brokerIP1;
  c.haListenHost ??= c.listenHost;
  c.storePathCommitLog ??= join(c.storePathRootDir, 'commitlog');

  if (c.brokerRole === 'SLAVE') {
    if (c.brokerId <= 0) errors.push(`brokerId: a SLAVE needs brokerId 1 or more, got ${c.brokerId}`);
  } else if (c.brokerId !== 0) {
    if (explicit.has('brokerId')) {
      warnings.push(
        `brokerId ${c.brokerId} ignored: a ${c.brokerRole} always has brokerId 0 (use role SLAVE)`,
      );
    }
    c.brokerId = 0;
  }

  for (const key of ['listenPort', 'haListenPort'] as const) {
    if (c[key] < 0 || c[key] > 65535) errors.push(`${key}: ${c[key]} is not a port number`);
  }
  const positive = [
    'defaultTopicQueueNums',
    'mappedFileSizeCommitLog',
    'mappedFileSizeConsumeQueue',
    'maxMessageSize',
    'registerNameServerPeriod',
    'flushDelayOffsetInterval',
    'flushConsumerOffsetInterval',
    'timerMaxDelaySec',
    'timerPrecisionMs',
    'fileReservedTime',
  ] as const;
  for (const key of positive) if (c[key] <= 0) errors.push(`${key}: must be positive, got ${c[key]}`);
  if (c.mappedFileSizeConsumeQueue % 20 !== 0) {
    errors.push(
      `mappedFileSizeConsumeQueue: must be a multiple of 20 (one entry), got ${c.mappedFileSizeConsumeQueue}`,
    );
  }
  for (const key of ['serverChannelMaxIdleTimeSeconds', 'diskMinFreeSpaceMB'] as const)
    if (c[key] < 0) errors.push(`${key}: must not be negative, got ${c[key]}`);
  if (c.diskSpaceWarningLevelRatio < 1 || c.diskSpaceWarningLevelRatio > 100)
    errors.push(`diskSpaceWarningLevelRatio: a percentage 1–100, got ${c.diskSpaceWarningLevelRatio}`);
  if (c.brokerPermission < 0 || c.brokerPermission > 7)
    errors.push(`brokerPermission: ${c.brokerPermission} is not 0–7`);

  const levels = c.messageDelayLevel.trim().split(/\s+/);
  if (levels.some((level) => !DELAY_LEVEL.test(level))) {
    errors.push(`messageDelayLevel: expected levels like "1s 5m 2h 1d", got "${c.messageDelayLevel}"`);
  }
  const hours = c.deleteWhen.split(';');
  if (hours.some((h) => !/^\d{1,2}$/.test(h) || Number(h) > 23)) {
    errors.push(`deleteWhen: expected hours of the day such as "04" or "04;16", got "${c.deleteWhen}"`);
  }
  if (c.namesrvAddr !== undefined) {
    const bad = c.namesrvAddr.split(';').filter((a) => a !== '' && !isHostPort(a.trim()));
    if (bad.length > 0)
      errors.push(`namesrvAddr: expected "host:port;host:port", bad part "${bad.join(';')}"`);
  }
  if (c.haMasterAddress !== undefined && !isHostPort(c.haMasterAddress)) {
    errors.push(`haMasterAddress: expected host:port, got "${c.haMasterAddress}"`);
  }
  return { config: c, warnings, errors };
}
