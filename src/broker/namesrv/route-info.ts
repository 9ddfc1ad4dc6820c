/**
 * RocketMQ's RouteInfoManager: which brokers are alive, which clusters they form and which topics they serve.
 * Synchronous and free of I/O: callers pass the time, and act on what the methods return (close an expired
 * broker's channel, write a log line). Node runs one request at a time, so no lock is needed.
 */
import type {
  BrokerData,
  ClusterInfo,
  DataVersion,
  QueueData,
  TopicList,
  TopicRouteData,
} from '../../protocol/headers/namesrv-bodies.js';
import { sameDataVersion } from '../../protocol/headers/namesrv-bodies.js';
import type { TopicConfig } from '../../protocol/headers/topic-admin.js';
import type { Channel } from '../../remoting/channel.js';
import {
  type BrokerIdentity,
  type BrokerLiveInfo,
  type RegisterBrokerInput,
  type RegisterBrokerOutcome,
  type RemovedBroker,
  BROKER_EXPIRY_MS,
  MASTER_ID,
  PERM_READ,
  PERM_WRITE,
} from './route-types.js';

interface BrokerEntry {
  readonly cluster: string;
  readonly brokerName: string;
  readonly addrs: Map<number, string>;
}

const toQueueData = (brokerName: string, t: TopicConfig): QueueData => ({
  brokerName,
  readQueueNums: t.readQueueNums,
  writeQueueNums: t.writeQueueNums,
  perm: t.perm,
  topicSysFlag: t.topicSysFlag,
});

const sameQueueData = (a: QueueData, b: QueueData): boolean =>
  a.readQueueNums === b.readQueueNums &&
  a.writeQueueNums === b.writeQueueNums &&
  a.perm === b.perm &&
  a.topicSysFlag === b.topicSysFlag;

function toBrokerData(entry: BrokerEntry): BrokerData {
  const brokerAddrs: Record<string, string> = {};
  for (const id of [...entry.addrs.keys()].sort((a, b) => a - b))
    brokerAddrs[String(id)] = entry.addrs.get(id)!;
  return { cluster: entry.cluster, brokerName: entry.brokerName, brokerAddrs };
}

export class RouteInfoManager {
  /** topic → brokerName → QueueData */
  private readonly topicQueueTable = new Map<string, Map<string, QueueData>>();
  private readonly brokerAddrTable = new Map<string, BrokerEntry>();
  private readonly clusterAddrTable = new Map<string, Set<string>>();
  private readonly brokerLiveTable = new Map<string, BrokerLiveInfo>();
  private readonly filterServerTable = new Map<string, readonly string[]>();

  registerBroker(input: RegisterBrokerInput, now: number): RegisterBrokerOutcome {
    const { clusterName, brokerAddr, brokerName, brokerId } = input;
    let names = this.clusterAddrTable.get(clusterName);
    if (!names) this.clusterAddrTable.set(clusterName, (names = new Set()));
    names.add(brokerName);

    let entry = this.brokerAddrTable.get(brokerName);
    let registerFirst = entry === undefined;
    if (!entry) {
      entry = { cluster: clusterName, brokerName, addrs: new Map() };
      this.brokerAddrTable.set(brokerName, entry);
    }
    // A slave promoted to master re-registers under id 0 from the same address: one id per address.
    for (const [id, addr] of entry.addrs) if (addr === brokerAddr && id !== brokerId) entry.addrs.delete(id);
    registerFirst = entry.addrs.get(brokerId) === undefined || registerFirst;
    entry.addrs.set(brokerId, brokerAddr);

    const wrapper = input.topicConfigWrapper;
    const changedTopics: string[] = [];
    if (
      brokerId === MASTER_ID &&
      (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, wrapper.dataVersion))
    ) {
      for (const config of Object.values(wrapper.topicConfigTable)) {
        if (this.updateQueueData(brokerName, config)) changedTopics.push(config.topicName);
      }
    }

    const previous = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: now,
      dataVersion: wrapper.dataVersion,
      channel: input.channel,
      haServerAddr: input.haServerAddr,
    });

    if (input.filterServerList !== undefined) {
      if (input.filterServerList.length === 0) this.filterServerTable.delete(brokerAddr);
      else this.filterServerTable.set(brokerAddr, [...input.filterServerList]);
    }

    const outcome = { newBroker: previous === undefined, changedTopics };
    if (brokerId === MASTER_ID) return outcome;
    const masterAddr = entry.addrs.get(MASTER_ID);
    const master = masterAddr === undefined ? undefined : this.brokerLiveTable.get(masterAddr);
    if (masterAddr === undefined || master === undefined) return outcome;
    return { ...outcome, haServerAddr: master.haServerAddr, masterAddr };
  }

  private updateQueueData(brokerName: string, config: TopicConfig): boolean {
    const queueData = toQueueData(brokerName, config);
    let byBroker = this.topicQueueTable.get(config.topicName);
    if (!byBroker) this.topicQueueTable.set(config.topicName, (byBroker = new Map<string, QueueData>()));
    const old = byBroker.get(brokerName);
    if (old && sameQueueData(old, queueData)) return false;
    byBroker.set(brokerName, queueData);
    return true;
  }

  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const live = this.brokerLiveTable.get(brokerAddr);
    return live === undefined || !sameDataVersion(live.dataVersion, dataVersion);
  }

  brokerDataVersion(brokerAddr: string): DataVersion | undefined {
    return this.brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  brokerLiveInfo(brokerAddr: string): BrokerLiveInfo | undefined {
    return this.brokerLiveTable.get(brokerAddr);
  }

  /** QUERY_DATA_VERSION with an unchanged version counts as a heartbeat. */
  touchBroker(brokerAddr: string, now: number): void {
    const live = this.brokerLiveTable.get(brokerAddr);
    if (live) this.brokerLiveTable.set(brokerAddr, { ...live, lastUpdateTimestamp: now });
  }

  /** UNREGISTER_BROKER: the broker shuts down cleanly. Returns whether it was alive. */
  unregisterBroker(id: BrokerIdentity): boolean {
    const wasAlive = this.brokerLiveTable.delete(id.brokerAddr);
    this.filterServerTable.delete(id.brokerAddr);
    const entry = this.brokerAddrTable.get(id.brokerName);
    if (!entry) return wasAlive;
    entry.addrs.delete(id.brokerId);
    if (entry.addrs.size === 0) this.forgetBrokerName(id.brokerName);
    return wasAlive;
  }

  /** The broker that registered over `channel`, dropped at once because its connection closed. */
  removeBrokerByChannel(channel: Channel): RemovedBroker | undefined {
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.channel?.id === channel.id) return this.removeBrokerByAddr(addr);
    }
    return undefined;
  }

  /** Drops every broker silent for longer than `expiryMs` at `now`. */
  scanExpired(now: number, expiryMs = BROKER_EXPIRY_MS): RemovedBroker[] {
    const expired: string[] = [];
    for (const [addr, live] of this.brokerLiveTable) {
      if (live.lastUpdateTimestamp + expiryMs < now) expired.push(addr);
    }
    return expired.map((addr) => this.removeBrokerByAddr(addr));
  }

  private removeBrokerByAddr(brokerAddr: string): RemovedBroker {
    const live = this.brokerLiveTable.get(brokerAddr);
    this.brokerLiveTable.delete(brokerAddr);
    this.filterServerTable.delete(brokerAddr);
    let brokerName: string | undefined;
    for (const entry of this.brokerAddrTable.values()) {
      for (const [id, addr] of entry.addrs) {
        if (addr !== brokerAddr) continue;
        entry.addrs.delete(id);
        brokerName = entry.brokerName;
        break;
      }
      if (brokerName === undefined) continue;
      if (entry.addrs.size === 0) this.forgetBrokerName(entry.brokerName);
      break;
    }
    return { brokerAddr, brokerName, channel: live?.channel, lastUpdateTimestamp: live?.lastUpdateTimestamp };
  }

  /** The last address of `brokerName` is gone: drop it from its cluster and its queue data from topics. */
  private forgetBrokerName(brokerName: string): void {
    this.brokerAddrTable.delete(brokerName);
    for (const [cluster, names] of this.clusterAddrTable) {
      if (!names.delete(brokerName)) continue;
      if (names.size === 0) this.clusterAddrTable.delete(cluster);
    }
    for (const [topic, byBroker] of this.topicQueueTable) {
      byBroker.delete(brokerName);
      if (byBroker.size === 0) this.topicQueueTable.delete(topic);
    }
  }

  /** GET_ROUTEINFO_BY_TOPIC: undefined unless both queue data and a live broker name exist. */
  pickupTopicRoute(topic: string): TopicRouteData | undefined {
    const byBroker = this.topicQueueTable.get(topic);
    if (!byBroker || byBroker.size === 0) return undefined;
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, readonly string[]> = {};
    for (const brokerName of byBroker.keys()) {
      const entry = this.brokerAddrTable.get(brokerName);
      if (!entry) continue;
      brokerDatas.push(toBrokerData(entry));
      for (const addr of entry.addrs.values()) {
        const servers = this.filterServerTable.get(addr);
        if (servers) filterServerTable[addr] = [...servers];
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return { queueDatas: [...byBroker.values()].map((q) => ({ ...q })), brokerDatas, filterServerTable };
  }

  clusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, entry] of this.brokerAddrTable) brokerAddrTable[name] = toBrokerData(entry);
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of this.clusterAddrTable) clusterAddrTable[cluster] = [...names];
    return { brokerAddrTable, clusterAddrTable };
  }

  allTopics(): string[] {
    return [...this.topicQueueTable.keys()];
  }

  /** Topics with queues on any broker of `cluster` (none for an unknown cluster). */
  topicsByCluster(cluster: string): string[] {
    const names = this.clusterAddrTable.get(cluster);
    if (!names) return [];
    const topics: string[] = [];
    for (const [topic, byBroker] of this.topicQueueTable) {
      if ([...byBroker.keys()].some((name) => names.has(name))) topics.push(topic);
    }
    return topics;
  }

  /** GET_SYSTEM_TOPIC_LIST_FROM_NS: cluster and broker names (each a system topic) and a broker to ask. */
  systemTopicList(): TopicList {
    const topicList: string[] = [];
    for (const [cluster, names] of this.clusterAddrTable) topicList.push(cluster, ...names);
    for (const entry of this.brokerAddrTable.values()) {
      const first = entry.addrs.values().next();
      if (!first.done) return { topicList, brokerAddr: first.value };
    }
    return { topicList };
  }

  /** WIPE_WRITE_PERM_OF_BROKER: returns how many topics' queue data changed. */
  wipeWritePerm(brokerName: string): number {
    return this.rewritePerm(brokerName, (perm) => perm & ~PERM_WRITE);
  }

  /** ADD_WRITE_PERM_OF_BROKER: back to read-write, as RocketMQ does (inherit and priority bits cleared). */
  addWritePerm(brokerName: string): number {
    return this.rewritePerm(brokerName, () => PERM_READ | PERM_WRITE);
  }

  private rewritePerm(brokerName: string, perm: (old: number) => number): number {
    let count = 0;
    for (const byBroker of this.topicQueueTable.values()) {
      const queueData = byBroker.get(brokerName);
      if (!queueData) continue;
      byBroker.set(brokerName, { ...queueData, perm: perm(queueData.perm) });
      count++;
    }
    return count;
  }

  /** DELETE_TOPIC_IN_NAMESRV; with `clusterName`, only that cluster's brokers lose the topic. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === '') {
      this.topicQueueTable.delete(topic);
      return;
    }
    const byBroker = this.topicQueueTable.get(topic);
    const names = this.clusterAddrTable.get(clusterName);
    if (!byBroker || !names) return;
    for (const name of names) byBroker.delete(name);
    if (byBroker.size === 0) this.topicQueueTable.delete(topic);
  }
}
