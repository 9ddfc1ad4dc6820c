/**
 * Name server request and response headers: REGISTER_BROKER (103), UNREGISTER_BROKER (104),
 * QUERY_DATA_VERSION (322), GET_ROUTEINFO_BY_TOPIC (105), the KV config codes (100, 101, 102, 219),
 * WIPE/ADD_WRITE_PERM_OF_BROKER (205, 327), GET_TOPICS_BY_CLUSTER (224) and DELETE_TOPIC_IN_NAMESRV (216).
 * Bodies are in namesrv-bodies.ts and register-broker-body.ts.
 */
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requiredBoolean,
  requiredLong,
  requiredString,
  toExtFields,
} from '../ext-fields.js';
import type { ExtFields } from '../remoting-command.js';

/** The identity of one broker process: UNREGISTER_BROKER's header, and the core of the others. */
export interface BrokerIdentityHeader {
  readonly brokerName: string;
  /** "ip:port" clients connect to. */
  readonly brokerAddr: string;
  readonly clusterName: string;
  /** 0 = master, ≥ 1 = slave. */
  readonly brokerId: number;
}

const encodeIdentity = (h: BrokerIdentityHeader): Record<string, string | number> => ({
  brokerName: h.brokerName,
  brokerAddr: h.brokerAddr,
  clusterName: h.clusterName,
  brokerId: h.brokerId,
});

const decodeIdentity = (ext: ExtFields | undefined): BrokerIdentityHeader => ({
  brokerName: requiredString(ext, 'brokerName'),
  brokerAddr: requiredString(ext, 'brokerAddr'),
  clusterName: requiredString(ext, 'clusterName'),
  brokerId: requiredLong(ext, 'brokerId'),
});

export interface RegisterBrokerRequestHeader extends BrokerIdentityHeader {
  /** "ip:port" of the HA service slaves replicate from. */
  readonly haServerAddr: string;
  /** The body is the zlib form of RegisterBrokerBody. */
  readonly compressed: boolean;
  /** CRC32 of the body masked with 0x7FFFFFFF; 0 = not checked. */
  readonly bodyCrc32: number;
}

export function encodeRegisterBrokerRequestHeader(h: RegisterBrokerRequestHeader): ExtFields {
  return toExtFields({
    ...encodeIdentity(h),
    haServerAddr: h.haServerAddr,
    compressed: h.compressed,
    bodyCrc32: h.bodyCrc32,
  });
}

export function decodeRegisterBrokerRequestHeader(ext: ExtFields | undefined): RegisterBrokerRequestHeader {
  return {
    ...decodeIdentity(ext),
    haServerAddr: requiredString(ext, 'haServerAddr'),
    compressed: optionalBoolean(ext, 'compressed') ?? false,
    bodyCrc32: optionalInt(ext, 'bodyCrc32') ?? 0,
  };
}

/** Filled for a slave only, from its live master. */
export interface RegisterBrokerResponseHeader {
  readonly haServerAddr?: string | undefined;
  readonly masterAddr?: string | undefined;
}

export function encodeRegisterBrokerResponseHeader(h: RegisterBrokerResponseHeader): ExtFields {
  return toExtFields({ haServerAddr: h.haServerAddr, masterAddr: h.masterAddr });
}

export function decodeRegisterBrokerResponseHeader(ext: ExtFields | undefined): RegisterBrokerResponseHeader {
  return { haServerAddr: optionalString(ext, 'haServerAddr'), masterAddr: optionalString(ext, 'masterAddr') };
}

export type UnRegisterBrokerRequestHeader = BrokerIdentityHeader;
export const encodeUnRegisterBrokerRequestHeader = (h: UnRegisterBrokerRequestHeader): ExtFields =>
  toExtFields(encodeIdentity(h));
export const decodeUnRegisterBrokerRequestHeader = decodeIdentity;

/** QUERY_DATA_VERSION: the body carries the broker's DataVersion. */
export type QueryDataVersionRequestHeader = BrokerIdentityHeader;
export const encodeQueryDataVersionRequestHeader = (h: QueryDataVersionRequestHeader): ExtFields =>
  toExtFields(encodeIdentity(h));
export const decodeQueryDataVersionRequestHeader = decodeIdentity;

export interface QueryDataVersionResponseHeader {
  readonly changed: boolean;
}

export const encodeQueryDataVersionResponseHeader = (h: QueryDataVersionResponseHeader): ExtFields =>
  toExtFields({ changed: h.changed });
export const decodeQueryDataVersionResponseHeader = (
  ext: ExtFields | undefined,
): QueryDataVersionResponseHeader => ({ changed: requiredBoolean(ext, 'changed') });

export interface GetRouteInfoRequestHeader {
  readonly topic: string;
  /** Ask for quoted map keys even from a client that announces a version below 4.9.4. */
  readonly acceptStandardJsonOnly?: boolean | undefined;
}

export const encodeGetRouteInfoRequestHeader = (h: GetRouteInfoRequestHeader): ExtFields =>
  toExtFields({ topic: h.topic, acceptStandardJsonOnly: h.acceptStandardJsonOnly });
export const decodeGetRouteInfoRequestHeader = (ext: ExtFields | undefined): GetRouteInfoRequestHeader => ({
  topic: requiredString(ext, 'topic'),
  acceptStandardJsonOnly: optionalBoolean(ext, 'acceptStandardJsonOnly'),
});

export interface KvConfigKeyHeader {
  readonly namespace: string;
  readonly key: string;
}

export interface PutKvConfigRequestHeader extends KvConfigKeyHeader {
  readonly value: string;
}

export const encodePutKvConfigRequestHeader = (h: PutKvConfigRequestHeader): ExtFields =>
  toExtFields({ namespace: h.namespace, key: h.key, value: h.value });
export const decodePutKvConfigRequestHeader = (ext: ExtFields | undefined): PutKvConfigRequestHeader => ({
  namespace: requiredString(ext, 'namespace'),
  key: requiredString(ext, 'key'),
  value: requiredString(ext, 'value'),
});

/** GET_KV_CONFIG and DELETE_KV_CONFIG. */
export const encodeKvConfigKeyHeader = (h: KvConfigKeyHeader): ExtFields =>
  toExtFields({ namespace: h.namespace, key: h.key });
export const decodeKvConfigKeyHeader = (ext: ExtFields | undefined): KvConfigKeyHeader => ({
  namespace: requiredString(ext, 'namespace'),
  key: requiredString(ext, 'key'),
});

export interface GetKvConfigResponseHeader {
  readonly value?: string | undefined;
}

export const encodeGetKvConfigResponseHeader = (h: GetKvConfigResponseHeader): ExtFields =>
  toExtFields({ value: h.value });
export const decodeGetKvConfigResponseHeader = (ext: ExtFields | undefined): GetKvConfigResponseHeader => ({
  value: optionalString(ext, 'value'),
});

export interface GetKvListByNamespaceRequestHeader {
  readonly namespace: string;
}

export const encodeGetKvListByNamespaceRequestHeader = (h: GetKvListByNamespaceRequestHeader): ExtFields =>
  toExtFields({ namespace: h.namespace });
export const decodeGetKvListByNamespaceRequestHeader = (
  ext: ExtFields | undefined,
): GetKvListByNamespaceRequestHeader => ({ namespace: requiredString(ext, 'namespace') });

/** WIPE_WRITE_PERM_OF_BROKER and ADD_WRITE_PERM_OF_BROKER. */
export interface WritePermOfBrokerRequestHeader {
  readonly brokerName: string;
}

export const encodeWritePermOfBrokerRequestHeader = (h: WritePermOfBrokerRequestHeader): ExtFields =>
  toExtFields({ brokerName: h.brokerName });
export const decodeWritePermOfBrokerRequestHeader = (
  ext: ExtFields | undefined,
): WritePermOfBrokerRequestHeader => ({ brokerName: requiredString(ext, 'brokerName') });

export interface WipeWritePermOfBrokerResponseHeader {
  readonly wipeTopicCount: number;
}

export const encodeWipeWritePermOfBrokerResponseHeader = (
  h: WipeWritePermOfBrokerResponseHeader,
): ExtFields => toExtFields({ wipeTopicCount: h.wipeTopicCount });
export const decodeWipeWritePermOfBrokerResponseHeader = (
  ext: ExtFields | undefined,
): WipeWritePermOfBrokerResponseHeader => ({ wipeTopicCount: optionalInt(ext, 'wipeTopicCount') ?? 0 });

export interface AddWritePermOfBrokerResponseHeader {
  readonly addTopicCount: number;
}

export const encodeAddWritePermOfBrokerResponseHeader = (h: AddWritePermOfBrokerResponseHeader): ExtFields =>
  toExtFields({ addTopicCount: h.addTopicCount });
export const decodeAddWritePermOfBrokerResponseHeader = (
  ext: ExtFields | undefined,
): AddWritePermOfBrokerResponseHeader => ({ addTopicCount: optionalInt(ext, 'addTopicCount') ?? 0 });

export interface GetTopicsByClusterRequestHeader {
  readonly cluster: string;
}

export const encodeGetTopicsByClusterRequestHeader = (h: GetTopicsByClusterRequestHeader): ExtFields =>
  toExtFields({ cluster: h.cluster });
export const decodeGetTopicsByClusterRequestHeader = (
  ext: ExtFields | undefined,
): GetTopicsByClusterRequestHeader => ({ cluster: requiredString(ext, 'cluster') });

/** DELETE_TOPIC_IN_NAMESRV; with `clusterName` only that cluster's brokers lose the topic (RocketMQ 5). */
export interface DeleteTopicInNamesrvRequestHeader {
  readonly topic: string;
  readonly clusterName?: string | undefined;
}

export const encodeDeleteTopicInNamesrvRequestHeader = (h: DeleteTopicInNamesrvRequestHeader): ExtFields =>
  toExtFields({ topic: h.topic, clusterName: h.clusterName });
export const decodeDeleteTopicInNamesrvRequestHeader = (
  ext: ExtFields | undefined,
): DeleteTopicInNamesrvRequestHeader => ({
  topic: requiredString(ext, 'topic'),
  clusterName: optionalString(ext, 'clusterName'),
});
