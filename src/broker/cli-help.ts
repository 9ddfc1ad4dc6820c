/** The text `node dist/broker --help` prints. Every flag in BROKER_FLAGS appears here (a test checks). */
export function brokerHelpText(): string {
  return `Usage:
  node dist/broker [flags]              broker (with an embedded name server unless one is named)
  node dist/broker namesrv [flags]      name server alone
  node dist/broker admin COMMAND ...    admin tool (rxrocket admin --help lists the commands)

Once started it prints one line per listening address, with the real port when given port 0
(name server listening on HOST:PORT, broker listening on HOST:PORT, ha listening on HOST:PORT, and
metrics listening on HOST:PORT with --metrics-port);
a broker then prints "broker ready". SIGTERM or SIGINT shuts down cleanly (exit 0); a failure to start
exits 1.

Broker flags (they override the config file; later flags override earlier ones):
  -c, --config FILE             RocketMQ broker.conf (key=value, # comments); unknown keys are warned about
  -n, --namesrv A:9876;B:9876   name servers to register with (namesrvAddr); without it: dev mode
      --namesrv-listen HOST:PORT
                                dev mode: where the embedded name server listens (default 127.0.0.1:9876)
      --no-embedded-namesrv     dev mode off: run no name server and register with none
      --broker-name NAME        brokerName (default broker-a)
      --broker-id N             brokerId: 0 = master, 1 or more = slave
      --role ROLE               brokerRole: ASYNC_MASTER (default), SYNC_MASTER (a send is acknowledged
                                once a slave holds it) or SLAVE (with --broker-id 1 or more)
      --cluster NAME            brokerClusterName (default DefaultCluster)
      --store-dir DIR           storePathRootDir (default ./store)
      --listen HOST:PORT        broker port (listenHost/listenPort, default 127.0.0.1:10911); a concrete
                                host is also the address announced (brokerIP1) unless brokerIP1 is set
      --ha-listen HOST:PORT     HA port slaves replicate from (haListenHost/haListenPort, default port
                                10912), announced to name servers as haServerAddr
      --ha-master HOST:PORT     slave: the master's HA address (haMasterAddress); default: from the name server
      --flush TYPE              flushDiskType: ASYNC_FLUSH (default) or SYNC_FLUSH
      --auto-create-topic       autoCreateTopicEnable=true (the default)
      --no-auto-create-topic    autoCreateTopicEnable=false: topics must be created by admin
      --set KEY=VALUE           any broker.conf key, e.g. --set fileReservedTime=48 (repeatable)

Common flags (broker and namesrv):
      --listen HOST:PORT        namesrv: where the name server listens (default 127.0.0.1:9876)
      --kv-config FILE          the name server's kvConfig.json (default: KV config kept in memory)
      --log-level LEVEL         debug, info (default), warn, error or silent; logs are JSON lines on stderr
      --metrics-port PORT       broker: serve Prometheus metrics on http://<listen host>:PORT/metrics
                                (0 = any free port); off by default
  -h, --help                    this text

Config file keys use RocketMQ's names (brokerClusterName, brokerName, brokerId, brokerRole, namesrvAddr,
brokerIP1, listenPort, flushDiskType, storePathRootDir, mappedFileSizeCommitLog, fileReservedTime,
deleteWhen, maxMessageSize, messageDelayLevel, autoCreateTopicEnable, defaultTopicQueueNums, ...).
`;
}
