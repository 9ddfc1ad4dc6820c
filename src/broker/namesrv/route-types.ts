/** The RouteInfoManager's inputs and outputs, and RocketMQ's constants for them. */
import type { DataVersion } from '../../protocol/headers/namesrv-bodies.js';
import type { TopicConfigSerializeWrapper } from '../../protocol/headers/register-broker-body.js';
import type { Channel } from '../../remoting/channel.js';

export const MASTER_ID = 0;
/** RocketMQ's BROKER_CHANNEL_EXPIRED_TIME: a broker silent this long is dropped. */
export const BROKER_EXPIRY_MS = 120_000;
export const PERM_READ = 0x4;
export const PERM_WRITE = 0x2;

export interface RegisterBrokerInput {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly haServerAddr: string;
  readonly topicConfigWrapper: TopicConfigSerializeWrapper;
  readonly filterServerList?: readonly string[] | undefined;
  readonly channel?: Channel | undefined;
}

export interface RegisterBrokerOutcome {
  /** For a slave: its master's HA address and broker address, when the master is alive. */
  readonly haServerAddr?: string;
  readonly masterAddr?: string;
  /** No live entry existed for this address before. */
  readonly newBroker: boolean;
  /** Topics whose queue data this registration created or changed. */
  readonly changedTopics: readonly string[];
}

export interface BrokerIdentity {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
}

export interface BrokerLiveInfo {
  readonly lastUpdateTimestamp: number;
  readonly dataVersion: DataVersion;
  readonly channel: Channel | undefined;
  readonly haServerAddr: string;
}

export interface RemovedBroker {
  readonly brokerAddr: string;
  /** Set when the address was still listed under a broker name. */
  readonly brokerName: string | undefined;
  readonly channel: Channel | undefined;
  readonly lastUpdateTimestamp: number | undefined;
}
