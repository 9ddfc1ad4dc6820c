import { defer } from 'rxjs';
import {
  decodeUnregisterClientRequestHeader,
  parseHeartbeatData,
  type ConsumerData,
} from '../../protocol/headers/client.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { Channel, RequestProcessor } from '../../remoting/channel.js';
import type { ProducerManager } from '../managers/producer-manager.js';

/** Where consumer heartbeats go; the consumer table registers itself here. */
export interface ConsumerRegistry {
  register(clientId: string, data: ConsumerData, channel: Channel, now: number): void;
  unregister(group: string, channel: Channel): void;
}

export interface ClientManageDeps {
  readonly producers: ProducerManager;
  readonly consumers: ConsumerRegistry;
  readonly now: () => number;
  /** Makes sure a consumer group's %RETRY% topic exists before its members register. */
  readonly ensureRetryTopic?: (group: string) => Promise<void>;
}

/** HEART_BEAT: remember the client's producer and consumer groups on this channel. */
export function createHeartbeatProcessor(deps: ClientManageDeps): RequestProcessor {
  return (request, channel) =>
    defer(async () => {
      const heartbeat = parseHeartbeatData(request.body);
      const now = deps.now();
      for (const producer of heartbeat.producerDataSet) {
        deps.producers.register(producer.groupName, heartbeat.clientID, channel, now);
      }
      for (const consumer of heartbeat.consumerDataSet) {
        // Before registering, as RocketMQ: a member told to rebalance may pull its retry queue at once.
        await deps.ensureRetryTopic?.(consumer.groupName);
        deps.consumers.register(heartbeat.clientID, consumer, channel, now);
      }
      return createResponse(request, ResponseCode.SUCCESS);
    });
}

/** UNREGISTER_CLIENT: the client is shutting down a producer or consumer group. */
export function createUnregisterClientProcessor(deps: ClientManageDeps): RequestProcessor {
  return (request, channel) =>
    defer(() => {
      const header = decodeUnregisterClientRequestHeader(request.extFields);
      if (header.producerGroup !== undefined) deps.producers.unregister(header.producerGroup, channel);
      if (header.consumerGroup !== undefined) deps.consumers.unregister(header.consumerGroup, channel);
      return [createResponse(request, ResponseCode.SUCCESS)];
    });
}

/** CHECK_CLIENT_CONFIG: clients ask whether their filter type is supported; TAG and SQL92 both are. */
export function createCheckClientConfigProcessor(): RequestProcessor {
  return (request) => [createResponse(request, ResponseCode.SUCCESS)];
}
