/**
 * `node dist/broker [namesrv] [flags]`: flags and the optional broker.conf merged into a BrokerConfig
 * (defaults < config file < flags; among flags, later ones win). Without a name server address from a flag
 * or the file the broker runs in dev mode, with an embedded name server on 127.0.0.1:9876.
 */
import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { LogLevel } from '../logger.js';
import { type ResolvedBrokerConfig, resolveBrokerConfig } from './config-checks.js';
import { convertProperties, parseBrokerConfigFile } from './config-file-parser.js';
import { type BrokerConfig, type BrokerConfigKey, convertConfigValue } from './config.js';
import { brokerHelpText } from './cli-help.js';

export { brokerHelpText };

export interface NamesrvSettings {
  readonly host: string;
  readonly port: number;
  /** kvConfig.json; undefined keeps KV config in memory. */
  readonly kvConfigPath: string | undefined;
}

interface Common {
  readonly logLevel: LogLevel;
  readonly metricsPort: number | undefined;
  readonly warnings: readonly string[];
  /** Non-empty: print them and exit with status 2. */
  readonly errors: readonly string[];
}

export type BrokerCommandLine =
  | { readonly kind: 'help'; readonly text: string }
  | (Common & { readonly kind: 'namesrv'; readonly namesrv: NamesrvSettings })
  | (Common & {
      readonly kind: 'broker';
      readonly config: BrokerConfig;
      /**
       * The embedded name server in dev mode, else undefined. config.namesrvAddr points at it, except with
       * port 0, where the entry point fills it in from the name server's bound address.
       */
      readonly namesrv: NamesrvSettings | undefined;
    });

export const BROKER_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
  namesrv: { type: 'string', short: 'n' },
  'broker-name': { type: 'string' },
  'broker-id': { type: 'string' },
  role: { type: 'string' },
  cluster: { type: 'string' },
  'store-dir': { type: 'string' },
  listen: { type: 'string' },
  'ha-listen': { type: 'string' },
  'ha-master': { type: 'string' },
  'namesrv-listen': { type: 'string' },
  'no-embedded-namesrv': { type: 'boolean' },
  'kv-config': { type: 'string' },
  flush: { type: 'string' },
  'auto-create-topic': { type: 'boolean' },
  'no-auto-create-topic': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'metrics-port': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const DEV_NAMESRV_HOST = '127.0.0.1';
const DEV_NAMESRV_PORT = 9876;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/** "host:port", "[v6]:port" or a bare port (host = defaultHost). */
export function parseHostPort(text: string, defaultHost: string): { host: string; port: number } | string {
  const match = /^(?:(\[[^\]]+\]|[^:\s]*):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) return `expected host:port, got "${text}"`;
  const host = match[1] ? match[1].replace(/^\[(.*)\]$/, '$1') : defaultHost;
  return { host, port };
}

/** One config-changing flag as (key, text) pairs, in command-line order. */
function flagToEntries(name: string, value: string | boolean): [BrokerConfigKey, string][] | string {
  const text = String(value);
  const hostPort = (
    hostKey: BrokerConfigKey,
    portKey: BrokerConfigKey,
  ): [BrokerConfigKey, string][] | string => {
    const parsed = parseHostPort(text, '0.0.0.0');
    return typeof parsed === 'string'
      ? parsed
      : [
          [hostKey, parsed.host],
          [portKey, String(parsed.port)],
        ];
  };
  switch (name) {
    case 'namesrv':
      return [['namesrvAddr', text]];
    case 'broker-name':
      return [['brokerName', text]];
    case 'broker-id':
      return [['brokerId', text]];
    case 'role':
      return [['brokerRole', text]];
    case 'cluster':
      return [['brokerClusterName', text]];
    case 'store-dir':
      return [['storePathRootDir', text]];
    case 'flush':
      return [['flushDiskType', text]];
    case 'listen':
      return hostPort('listenHost', 'listenPort');
    case 'ha-listen':
      return hostPort('haListenHost', 'haListenPort');
    case 'ha-master':
      return [['haMasterAddress', text]];
    case 'auto-create-topic':
      return [['autoCreateTopicEnable', 'true']];
    case 'no-auto-create-topic':
      return [['autoCreateTopicEnable', 'false']];
    default:
      return [];
  }
}

export interface ParseOptions {
  /** Reads --config; tests pass a stub. */
  readonly readFile?: (path: string) => string;
}

export function parseBrokerCommandLine(
  argv: readonly string[],
  options: ParseOptions = {},
): BrokerCommandLine {
  const isNamesrv = argv[0] === 'namesrv';
  const args = isNamesrv ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs({ args, options: BROKER_FLAGS, allowPositionals: false, strict: true, tokens: true });
  } catch (error) {
    return failed(isNamesrv, [`${(error as Error).message} (see --help)`]);
  }
  const { values, tokens } = parsed;
  if (values.help) return { kind: 'help', text: brokerHelpText() };

  const warnings: string[] = [];
  const errors: string[] = [];
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) errors.push(`--log-level: expected one of ${LOG_LEVELS.join(', ')}`);
  let metricsPort: number | undefined;
  if (values['metrics-port'] !== undefined) {
    metricsPort = Number(values['metrics-port']);
    if (!/^\d{1,5}$/.test(values['metrics-port']) || metricsPort > 65535) {
      errors.push(`--metrics-port: expected a port number, got "${values['metrics-port']}"`);
    }
  }
  const kvConfigPath = values['kv-config'];
  const common = { logLevel, metricsPort, warnings, errors };

  if (isNamesrv) {
    const listen = parseHostPort(values.listen ?? `${DEV_NAMESRV_HOST}:${DEV_NAMESRV_PORT}`, '0.0.0.0');
    if (typeof listen === 'string') errors.push(`--listen: ${listen}`);
    const brokerOnly = tokens.filter((t) => t.kind === 'option' && !NAMESRV_FLAGS.has(t.name));
    for (const t of brokerOnly) if (t.kind === 'option') errors.push(`--${t.name} does not apply to namesrv`);
    const { host, port } =
      typeof listen === 'string' ? { host: DEV_NAMESRV_HOST, port: DEV_NAMESRV_PORT } : listen;
    return { kind: 'namesrv', namesrv: { host, port, kvConfigPath }, ...common };
  }

  const merged: Partial<Record<BrokerConfigKey, unknown>> = {};
  const explicit = new Set<BrokerConfigKey>();
  if (values.config !== undefined) {
    const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    let text: string | undefined;
    try {
      text = read(values.config);
    } catch (error) {
      errors.push(`--config: cannot read ${values.config}: ${(error as Error).message}`);
    }
    if (text !== undefined) {
      const file = parseBrokerConfigFile(text, values.config);
      warnings.push(...file.warnings);
      errors.push(...file.errors);
      Object.assign(merged, file.values);
      for (const key of Object.keys(file.values) as BrokerConfigKey[]) explicit.add(key);
    }
  }
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'set') {
      const text = token.value ?? '';
      const eq = text.indexOf('=');
      if (eq <= 0) {
        errors.push(`--set: expected key=value, got "${text}"`);
        continue;
      }
      const set = convertProperties(
        [{ key: text.slice(0, eq).trim(), value: text.slice(eq + 1), line: 0 }],
        () => '--set',
      );
      warnings.push(...set.warnings);
      errors.push(...set.errors);
      Object.assign(merged, set.values);
      for (const key of Object.keys(set.values) as BrokerConfigKey[]) explicit.add(key);
      continue;
    }
    const entries = flagToEntries(token.name, token.value ?? true);
    if (typeof entries === 'string') {
      errors.push(`--${token.name}: ${entries}`);
      continue;
    }
    for (const [key, text] of entries) {
      try {
        merged[key] = convertConfigValue(key, text);
        explicit.add(key);
      } catch (error) {
        errors.push(`--${token.name}: ${(error as Error).message}`);
      }
    }
  }

  const devMode = merged.namesrvAddr === undefined && values['no-embedded-namesrv'] !== true;
  let namesrv: NamesrvSettings | undefined;
  if (devMode) {
    const listen = parseHostPort(
      values['namesrv-listen'] ?? `${DEV_NAMESRV_HOST}:${DEV_NAMESRV_PORT}`,
      DEV_NAMESRV_HOST,
    );
    if (typeof listen === 'string') errors.push(`--namesrv-listen: ${listen}`);
    else {
      namesrv = { ...listen, kvConfigPath };
      const reachable = WILDCARD_HOSTS.has(listen.host) ? DEV_NAMESRV_HOST : listen.host;
      if (listen.port !== 0) merged.namesrvAddr = `${reachable}:${listen.port}`;
    }
  } else if (values['namesrv-listen'] !== undefined) {
    warnings.push(
      '--namesrv-listen ignored: no embedded name server runs when a name server address is given',
    );
  }
  const resolved: ResolvedBrokerConfig = resolveBrokerConfig(merged, explicit);
  warnings.push(...resolved.warnings);
  errors.push(...resolved.errors);
  return { kind: 'broker', config: resolved.config, namesrv, ...common };
}

const NAMESRV_FLAGS = new Set(['listen', 'kv-config', 'log-level', 'metrics-port', 'help']);

function failed(isNamesrv: boolean, errors: string[]): BrokerCommandLine {
  const common = { logLevel: 'info' as const, metricsPort: undefined, warnings: [], errors };
  if (isNamesrv) {
    return {
      kind: 'namesrv',
      namesrv: { host: DEV_NAMESRV_HOST, port: DEV_NAMESRV_PORT, kvConfigPath: undefined },
      ...common,
    };
  }
  const { config } = resolveBrokerConfig({}, new Set());
  return { kind: 'broker', config, namesrv: undefined, ...common };
}
