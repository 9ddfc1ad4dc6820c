import { describe, expect, it } from 'vitest';
import {
  BROKER_FLAGS,
  brokerHelpText,
  parseBrokerCommandLine,
  parseHostPort,
} from '../../../src/broker/cli-args.js';
import { parseBrokerConfigFile, parsePropertiesText } from '../../../src/broker/config-file-parser.js';
import { DEFAULT_BROKER_CONFIG } from '../../../src/broker/config.js';

const files = (map: Record<string, string>) => ({
  readFile: (path: string): string => {
    const text = map[path];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  },
});

const broker = (argv: string[], fileMap: Record<string, string> = {}) => {
  const result = parseBrokerCommandLine(argv, files(fileMap));
  if (result.kind !== 'broker') throw new Error(`expected broker, got ${result.kind}`);
  return result;
};

const SAMPLE_CONF = `# RocketMQ broker.conf
brokerClusterName = ProdCluster
brokerName=broker-b
brokerId=0

! another comment style
deleteWhen=04
fileReservedTime=48
brokerRole=SYNC_MASTER
flushDiskType=SYNC_FLUSH
namesrvAddr=10.0.0.1:9876;10.0.0.2:9876
storePathRootDir=/data/rocketmq/store
autoCreateTopicEnable=false
mapedFileSizeCommitLog=104857600
sendMessageThreadPoolNums=16
messageDelayLevel=1s 5s \\
  10s 1m
`;

describe('broker.conf parsing', () => {
  it('reads keys, values, comments, blank lines, continuation lines', () => {
    expect(parsePropertiesText('a=1\n  # c\n\nb : two words \nc three\nd\ne=x\\\\y')).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'b', value: 'two words', line: 4 },
      { key: 'c', value: 'three', line: 5 },
      { key: 'd', value: '', line: 6 },
      { key: 'e', value: 'x\\y', line: 7 },
    ]);
  });

  it('converts a real broker.conf with RocketMQ names and types', () => {
    const { values, warnings, errors } = parseBrokerConfigFile(SAMPLE_CONF, 'broker.conf');
    expect(errors).toEqual([]);
    expect(values).toEqual({
      brokerClusterName: 'ProdCluster',
      brokerName: 'broker-b',
      brokerId: 0,
      deleteWhen: '04',
      fileReservedTime: 48,
      brokerRole: 'SYNC_MASTER',
      flushDiskType: 'SYNC_FLUSH',
      namesrvAddr: '10.0.0.1:9876;10.0.0.2:9876',
      storePathRootDir: '/data/rocketmq/store',
      autoCreateTopicEnable: false,
      mappedFileSizeCommitLog: 104857600,
      messageDelayLevel: '1s 5s 10s 1m',
    });
    expect(warnings).toEqual([
      'broker.conf:14: "mapedFileSizeCommitLog" is the old spelling of "mappedFileSizeCommitLog"',
      'broker.conf:15: "sendMessageThreadPoolNums" tunes the Java broker and has no effect here',
    ]);
  });

  it('warns about unknown keys and names file, line and key for bad values', () => {
    const { warnings, errors } = parseBrokerConfigFile(
      'brokerId=one\nlistenPort=\nautoCreateTopicEnable=yes\nbrokerRole=BOSS\nbrokerNmae=x\n',
      'b.conf',
    );
    expect(warnings).toEqual(['b.conf:5: unknown key "brokerNmae" ignored']);
    expect(errors).toEqual([
      'b.conf:1: brokerId: expected an integer, got "one"',
      'b.conf:2: listenPort: expected an integer, got ""',
      'b.conf:3: autoCreateTopicEnable: expected true or false, got "yes"',
      'b.conf:4: brokerRole: expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE, got "BOSS"',
    ]);
  });
});

describe('command line', () => {
  it('defaults to dev mode: RocketMQ defaults and an embedded name server on 127.0.0.1:9876', () => {
    const r = broker([]);
    expect(r.errors).toEqual([]);
    expect(r.namesrv).toEqual({ host: '127.0.0.1', port: 9876, kvConfigPath: undefined });
    expect(r.config).toMatchObject({
      ...DEFAULT_BROKER_CONFIG,
      namesrvAddr: '127.0.0.1:9876',
      listenHost: '127.0.0.1',
      brokerIP2: '127.0.0.1',
      haListenHost: '127.0.0.1',
      storePathCommitLog: 'store/commitlog',
    });
    expect(r.config).toMatchObject({
      brokerClusterName: 'DefaultCluster',
      brokerName: 'broker-a',
      brokerId: 0,
      brokerRole: 'ASYNC_MASTER',
      brokerIP1: '127.0.0.1',
      listenPort: 10911,
      haListenPort: 10912,
      autoCreateTopicEnable: true,
      autoCreateSubscriptionGroup: true,
      defaultTopicQueueNums: 8,
      registerNameServerPeriod: 30000,
      storePathRootDir: './store',
      flushDiskType: 'ASYNC_FLUSH',
      mappedFileSizeCommitLog: 1073741824,
      fileReservedTime: 72,
      deleteWhen: '04',
      maxMessageSize: 4194304,
      syncFlushTimeout: 5000,
      messageDelayLevel: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
    });
    expect(r.logLevel).toBe('info');
  });

  it('lets flags win over the config file, later flags over earlier ones', () => {
    const r = broker(
      [
        '--config',
        'b.conf',
        '--broker-name',
        'flag-name',
        '--set',
        'fileReservedTime=12',
        '--cluster',
        'C2',
        '--set',
        'brokerClusterName=C3',
        '--no-auto-create-topic',
        '--flush',
        'async_flush',
      ],
      { 'b.conf': SAMPLE_CONF },
    );
    expect(r.errors).toEqual([]);
    expect(r.namesrv).toBeUndefined();
    expect(r.config).toMatchObject({
      brokerName: 'flag-name',
      brokerClusterName: 'C3',
      fileReservedTime: 12,
      brokerRole: 'SYNC_MASTER',
      flushDiskType: 'ASYNC_FLUSH',
      autoCreateTopicEnable: false,
      namesrvAddr: '10.0.0.1:9876;10.0.0.2:9876',
      storePathRootDir: '/data/rocketmq/store',
    });
    expect(broker(['--no-auto-create-topic', '--auto-create-topic']).config.autoCreateTopicEnable).toBe(true);
  });

  it('a slave with a name server list and listen addresses', () => {
    const r = broker([
      '--namesrv',
      'a:9876;b:9876',
      '--broker-id',
      '1',
      '--role',
      'SLAVE',
      '--store-dir',
      '/tmp/s',
      '--listen',
      '10.1.1.1:20911',
      '--ha-listen',
      '0.0.0.0:20912',
      '--ha-master',
      '10.1.1.0:10912',
      '--namesrv-listen',
      '127.0.0.1:1',
    ]);
    expect(r.errors).toEqual([]);
    expect(r.namesrv).toBeUndefined();
    expect(r.warnings).toEqual([
      '--namesrv-listen ignored: no embedded name server runs when a name server address is given',
    ]);
    expect(r.config).toMatchObject({
      namesrvAddr: 'a:9876;b:9876',
      brokerId: 1,
      brokerRole: 'SLAVE',
      storePathRootDir: '/tmp/s',
      listenHost: '10.1.1.1',
      listenPort: 20911,
      brokerIP1: '10.1.1.1',
      haListenHost: '0.0.0.0',
      haListenPort: 20912,
      haMasterAddress: '10.1.1.0:10912',
    });
  });

  it('keeps an explicit brokerIP1 when listening on a wildcard or another address', () => {
    expect(broker(['--listen', '0.0.0.0:10911', '--set', 'brokerIP1=192.168.0.9']).config).toMatchObject({
      listenHost: '0.0.0.0',
      brokerIP1: '192.168.0.9',
    });
    expect(broker(['--set', 'brokerIP1=192.168.0.9']).config.listenHost).toBe('192.168.0.9');
  });

  it('dev mode name server on another address, port 0, or switched off', () => {
    expect(broker(['--namesrv-listen', '0.0.0.0:19876', '--kv-config', '/tmp/kv.json'])).toMatchObject({
      namesrv: { host: '0.0.0.0', port: 19876, kvConfigPath: '/tmp/kv.json' },
      config: { namesrvAddr: '127.0.0.1:19876' },
    });
    const zero = broker(['--namesrv-listen', '127.0.0.1:0']);
    expect(zero.namesrv?.port).toBe(0);
    expect(zero.config.namesrvAddr).toBeUndefined();
    const off = broker(['--no-embedded-namesrv']);
    expect(off.namesrv).toBeUndefined();
    expect(off.config.namesrvAddr).toBeUndefined();
  });

  it('follows RocketMQ on role and id: masters are id 0, slaves need an id', () => {
    const master = broker(['--broker-id', '2']);
    expect(master.config.brokerId).toBe(0);
    expect(master.warnings[0]).toMatch(/brokerId 2 ignored/);
    expect(broker(['--role', 'SLAVE']).errors).toEqual(['brokerId: a SLAVE needs brokerId 1 or more, got 0']);
  });

  it('reports bad flags and values clearly', () => {
    expect(broker(['--broker-id', 'x']).errors).toEqual(['--broker-id: expected an integer, got "x"']);
    expect(broker(['--role', 'KING']).errors[0]).toMatch(/^--role: expected one of ASYNC_MASTER/);
    expect(broker(['--listen', 'nowhere']).errors).toEqual(['--listen: expected host:port, got "nowhere"']);
    expect(broker(['--set', 'nokey']).errors).toEqual(['--set: expected key=value, got "nokey"']);
    expect(broker(['--set', 'maxMessageSize=big']).errors).toEqual([
      '--set: maxMessageSize: expected an integer, got "big"',
    ]);
    expect(broker(['--set', 'bogus=1']).warnings).toEqual(['--set: unknown key "bogus" ignored']);
    expect(broker(['--config', 'missing.conf']).errors[0]).toMatch(/^--config: cannot read missing\.conf/);
    expect(broker(['--bogus']).errors[0]).toMatch(/bogus/);
    expect(broker(['--log-level', 'loud']).errors[0]).toMatch(/^--log-level/);
    expect(broker(['--metrics-port', '99999']).errors[0]).toMatch(/^--metrics-port/);
    expect(broker(['--namesrv', 'a:9876;nope']).errors).toEqual([
      'namesrvAddr: expected "host:port;host:port", bad part "nope"',
    ]);
    expect(broker(['--set', 'messageDelayLevel=1s 5x']).errors[0]).toMatch(/^messageDelayLevel/);
    expect(broker(['--set', 'deleteWhen=25']).errors[0]).toMatch(/^deleteWhen/);
    expect(broker(['--set', 'mappedFileSizeConsumeQueue=30']).errors[0]).toMatch(/multiple of 20/);
  });

  it('namesrv subcommand: listen address, kv config, log level; broker flags rejected', () => {
    expect(
      parseBrokerCommandLine([
        'namesrv',
        '--listen',
        '0.0.0.0:9876',
        '--log-level',
        'debug',
        '--kv-config',
        'kv.json',
      ]),
    ).toEqual({
      kind: 'namesrv',
      namesrv: { host: '0.0.0.0', port: 9876, kvConfigPath: 'kv.json' },
      logLevel: 'debug',
      metricsPort: undefined,
      warnings: [],
      errors: [],
    });
    expect(parseBrokerCommandLine(['namesrv'])).toMatchObject({ namesrv: { host: '127.0.0.1', port: 9876 } });
    expect(parseBrokerCommandLine(['namesrv', '--role', 'SLAVE'])).toMatchObject({
      errors: ['--role does not apply to namesrv'],
    });
  });

  it('--help returns the help text, which documents every flag', () => {
    const help = parseBrokerCommandLine(['--store-dir', 'x', '--help']);
    expect(help).toEqual({ kind: 'help', text: brokerHelpText() });
    expect(parseBrokerCommandLine(['namesrv', '-h']).kind).toBe('help');
    const text = brokerHelpText();
    for (const [name, flag] of Object.entries(BROKER_FLAGS)) {
      expect(text).toContain(`--${name}`);
      if ('short' in flag) expect(text).toContain(`-${flag.short}, --${name}`);
    }
  });

  it('parses host:port forms', () => {
    expect(parseHostPort('h:1', 'd')).toEqual({ host: 'h', port: 1 });
    expect(parseHostPort('[::1]:9876', 'd')).toEqual({ host: '::1', port: 9876 });
    expect(parseHostPort('9876', 'd')).toEqual({ host: 'd', port: 9876 });
    expect(parseHostPort('h:70000', 'd')).toBe('expected host:port, got "h:70000"');
  });
});
