/**
 * The name server's request processors (RocketMQ's DefaultRequestProcessor), one per request code. A request
 * with a missing or malformed header field is answered with the BadRequestError's code and text.
 */
import { BadRequestError } from '../../protocol/bad-request-error.js';
import {
  decodeDeleteTopicInNamesrvRequestHeader,
  decodeGetKvListByNamespaceRequestHeader,
  decodeGetRouteInfoRequestHeader,
  decodeGetTopicsByClusterRequestHeader,
  decodeKvConfigKeyHeader,
  decodePutKvConfigRequestHeader,
  decodeQueryDataVersionRequestHeader,
  decodeRegisterBrokerRequestHeader,
  decodeUnRegisterBrokerRequestHeader,
  decodeWritePermOfBrokerRequestHeader,
  encodeAddWritePermOfBrokerResponseHeader,
  encodeGetKvConfigResponseHeader,
  encodeQueryDataVersionResponseHeader,
  encodeRegisterBrokerResponseHeader,
  encodeWipeWritePermOfBrokerResponseHeader,
} from '../../protocol/headers/namesrv.js';
import {
  decodeDataVersion,
  encodeClusterInfo,
  encodeDataVersion,
  encodeKvTable,
  encodeTopicList,
  encodeTopicRouteData,
} from '../../protocol/headers/namesrv-bodies.js';
import {
  type RegisterBrokerBody,
  decodeRegisterBrokerBody,
  maskedCrc32,
} from '../../protocol/headers/register-broker-body.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { Channel, RequestProcessor } from '../../remoting/channel.js';
import type { Logger } from '../../logger.js';
import type { KvConfigStore } from './kv-config.js';
import type { RouteInfoManager } from './route-info.js';

/** RocketMQ's NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG: per-topic orderTopicConf strings. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';
/** MQVersion V4_9_4: from this client version on, routes are sent as standard JSON. */
const V4_9_4 = 401;

export interface NamesrvProcessorDeps {
  readonly routes: RouteInfoManager;
  readonly kvConfig: KvConfigStore;
  readonly logger: Logger;
  /** Wall-clock source for liveness timestamps; the expiry scan must use the same clock. */
  readonly now: () => number;
  /** RocketMQ's orderMessageEnable: attach ORDER_TOPIC_CONFIG entries to routes as orderTopicConf. */
  readonly orderMessageEnable?: boolean;
  /** Called with the channel of every successful registration, so its closing can drop the broker. */
  readonly watchBrokerChannel?: (channel: Channel) => void;
}

type Handler = (request: RemotingCommand, channel: Channel) => RemotingCommand | Promise<RemotingCommand>;

const ok = (request: RemotingCommand, init: Parameters<typeof createResponse>[2] = {}): RemotingCommand =>
  createResponse(request, ResponseCode.SUCCESS, init);

const emptyRegisterBody = (): RegisterBrokerBody => ({
  topicConfigSerializeWrapper: { topicConfigTable: {}, dataVersion: { timestamp: 0, counter: 0 } },
  filterServerList: [],
});

function guarded(handler: Handler): RequestProcessor {
  return async (request, channel) => {
    try {
      return await handler(request, channel);
    } catch (error) {
      if (error instanceof BadRequestError) {
        return createResponse(request, error.responseCode, { remark: error.message });
      }
      throw error;
    }
  };
}

export function createNamesrvProcessors(deps: NamesrvProcessorDeps): ReadonlyMap<number, RequestProcessor> {
  const { routes, kvConfig, logger, now } = deps;

  const registerBroker: Handler = (request, channel) => {
    const header = decodeRegisterBrokerRequestHeader(request.extFields);
    const body = request.body ?? new Uint8Array(0);
    if (header.bodyCrc32 !== 0 && maskedCrc32(body) !== header.bodyCrc32) {
      logger.warn(
        { brokerAddr: header.brokerAddr, expected: header.bodyCrc32, actual: maskedCrc32(body) },
        'register broker body crc32 does not match',
      );
      return createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: 'crc32 not match' });
    }
    const decoded = body.length > 0 ? decodeRegisterBrokerBody(body, header.compressed) : emptyRegisterBody();
    const outcome = routes.registerBroker(
      {
        clusterName: header.clusterName,
        brokerAddr: header.brokerAddr,
        brokerName: header.brokerName,
        brokerId: header.brokerId,
        haServerAddr: header.haServerAddr,
        topicConfigWrapper: decoded.topicConfigSerializeWrapper,
        filterServerList: decoded.filterServerList,
        channel,
      },
      now(),
    );
    deps.watchBrokerChannel?.(channel);
    const fields = {
      cluster: header.clusterName,
      brokerName: header.brokerName,
      brokerId: header.brokerId,
      brokerAddr: header.brokerAddr,
      haServerAddr: header.haServerAddr,
    };
    if (outcome.newBroker) logger.info(fields, 'new broker registered');
    else logger.debug(fields, 'broker re-registered');
    if (outcome.changedTopics.length > 0) {
      logger.info(
        { brokerName: header.brokerName, topics: outcome.changedTopics },
        'topic queue data updated',
      );
    }
    const orderConf = kvConfig.list(NAMESPACE_ORDER_TOPIC_CONFIG);
    return ok(request, {
      extFields: encodeRegisterBrokerResponseHeader(outcome),
      body: orderConf === undefined ? undefined : encodeKvTable({ table: orderConf }),
    });
  };

  const unregisterBroker: Handler = (request) => {
    const header = decodeUnRegisterBrokerRequestHeader(request.extFields);
    const wasAlive = routes.unregisterBroker(header);
    logger.info({ ...header, wasAlive }, 'broker unregistered');
    return ok(request);
  };

  const queryDataVersion: Handler = (request) => {
    const header = decodeQueryDataVersionRequestHeader(request.extFields);
    const changed = routes.isBrokerTopicConfigChanged(header.brokerAddr, decodeDataVersion(request.body));
    if (!changed) routes.touchBroker(header.brokerAddr, now());
    const ours = routes.brokerDataVersion(header.brokerAddr);
    return ok(request, {
      extFields: encodeQueryDataVersionResponseHeader({ changed }),
      body: ours === undefined ? undefined : encodeDataVersion(ours),
    });
  };

  const getRouteInfo: Handler = (request) => {
    const header = decodeGetRouteInfoRequestHeader(request.extFields);
    const route = routes.pickupTopicRoute(header.topic);
    if (!route) {
      return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, {
        remark: `No topic route info in name server for the topic: ${header.topic}`,
      });
    }
    const orderTopicConf = deps.orderMessageEnable
      ? kvConfig.get(NAMESPACE_ORDER_TOPIC_CONFIG, header.topic)
      : undefined;
    const standard = request.version >= V4_9_4 || header.acceptStandardJsonOnly === true;
    return ok(request, {
      body: encodeTopicRouteData(
        orderTopicConf === undefined ? route : { ...route, orderTopicConf },
        standard ? 'standard' : 'fastjson',
      ),
    });
  };

  const deleteTopic: Handler = (request) => {
    const header = decodeDeleteTopicInNamesrvRequestHeader(request.extFields);
    routes.deleteTopic(header.topic, header.clusterName);
    logger.info({ topic: header.topic, cluster: header.clusterName }, 'topic deleted from name server');
    return ok(request);
  };

  const putKvConfig: Handler = async (request) => {
    const header = decodePutKvConfigRequestHeader(request.extFields);
    await kvConfig.put(header.namespace, header.key, header.value);
    logger.info(header, 'kv config put');
    return ok(request);
  };

  const getKvConfig: Handler = (request) => {
    const header = decodeKvConfigKeyHeader(request.extFields);
    const value = kvConfig.get(header.namespace, header.key);
    if (value === undefined) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        remark: `No config item, Namespace: ${header.namespace} Key: ${header.key}`,
      });
    }
    return ok(request, { extFields: encodeGetKvConfigResponseHeader({ value }) });
  };

  const deleteKvConfig: Handler = async (request) => {
    const header = decodeKvConfigKeyHeader(request.extFields);
    await kvConfig.delete(header.namespace, header.key);
    logger.info(header, 'kv config deleted');
    return ok(request);
  };

  const getKvList: Handler = (request) => {
    const header = decodeGetKvListByNamespaceRequestHeader(request.extFields);
    const table = kvConfig.list(header.namespace);
    if (table === undefined) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, {
        remark: `No config item, Namespace: ${header.namespace}`,
      });
    }
    return ok(request, { body: encodeKvTable({ table }) });
  };

  const wipeWritePerm: Handler = (request) => {
    const { brokerName } = decodeWritePermOfBrokerRequestHeader(request.extFields);
    const wipeTopicCount = routes.wipeWritePerm(brokerName);
    logger.info({ brokerName, wipeTopicCount }, 'write permission of broker wiped');
    return ok(request, { extFields: encodeWipeWritePermOfBrokerResponseHeader({ wipeTopicCount }) });
  };

  const addWritePerm: Handler = (request) => {
    const { brokerName } = decodeWritePermOfBrokerRequestHeader(request.extFields);
    const addTopicCount = routes.addWritePerm(brokerName);
    logger.info({ brokerName, addTopicCount }, 'write permission of broker added');
    return ok(request, { extFields: encodeAddWritePermOfBrokerResponseHeader({ addTopicCount }) });
  };

  const handlers: [number, Handler][] = [
    [RequestCode.REGISTER_BROKER, registerBroker],
    [RequestCode.UNREGISTER_BROKER, unregisterBroker],
    [RequestCode.QUERY_DATA_VERSION, queryDataVersion],
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, getRouteInfo],
    [RequestCode.GET_BROKER_CLUSTER_INFO, (r) => ok(r, { body: encodeClusterInfo(routes.clusterInfo()) })],
    [
      RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
      (r) => ok(r, { body: encodeTopicList({ topicList: routes.allTopics() }) }),
    ],
    [
      RequestCode.GET_TOPICS_BY_CLUSTER,
      (r) => {
        const { cluster } = decodeGetTopicsByClusterRequestHeader(r.extFields);
        return ok(r, { body: encodeTopicList({ topicList: routes.topicsByCluster(cluster) }) });
      },
    ],
    [
      RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
      (r) => ok(r, { body: encodeTopicList(routes.systemTopicList()) }),
    ],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, deleteTopic],
    [RequestCode.PUT_KV_CONFIG, putKvConfig],
    [RequestCode.GET_KV_CONFIG, getKvConfig],
    [RequestCode.DELETE_KV_CONFIG, deleteKvConfig],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, getKvList],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, wipeWritePerm],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, addWritePerm],
  ];
  return new Map(handlers.map(([code, handler]) => [code, guarded(handler)]));
}
