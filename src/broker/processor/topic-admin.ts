/**
 * Topic administration as RocketMQ's AdminBrokerProcessor does it: UPDATE_AND_CREATE_TOPIC (17),
 * GET_ALL_TOPIC_CONFIG (21) and DELETE_TOPIC_IN_BROKER (215). A change is answered only once the name
 * servers have heard of it, as Java registers synchronously, so an admin tool's next route query sees it.
 */
import { topicConfigSerializeWrapperJson } from '../../protocol/headers/register-broker-body.js';
import {
  type TopicConfig,
  decodeCreateTopicRequestHeader,
  decodeDeleteTopicRequestHeader,
} from '../../protocol/headers/topic-admin.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { isNotAllowedSendTopic, topicNameProblem } from '../managers/topic-config.js';
import { type Handler, guarded } from './guarded.js';

export interface TopicAdminDeps {
  readonly topics: TopicConfigManager;
  readonly offsets: ConsumerOffsetManager;
  readonly clusterName: string;
  /** Drops the topic's ConsumeQueues from the store. */
  readonly deleteQueues: (topic: string) => Promise<void>;
  /** Resolves once the name servers have been told about the latest topic change (or failed to hear it). */
  readonly registered: () => Promise<void>;
}

/** Why an admin may not create or delete this topic, or undefined. */
function adminTopicProblem(topic: string, clusterName: string): string | undefined {
  const problem = topicNameProblem(topic);
  if (problem !== undefined) return problem;
  if (topic === clusterName) return `the topic[${topic}] is conflict with system reserved words.`;
  if (isNotAllowedSendTopic(topic)) return `The topic[${topic}] is conflict with system topic.`;
  return undefined;
}

/**
 * Java takes any count; a topic of 1e9 queues then turns every per-queue walk (topic stats, consume stats,
 * a client's route) into a loop that blocks the broker and a table no client can hold. Far above any real
 * topic, low enough that each such walk stays cheap.
 */
const MAX_QUEUE_NUMS = 65_535;

export function createTopicAdminProcessors(deps: TopicAdminDeps): ReadonlyMap<number, RequestProcessor> {
  const refuse = (request: RemotingCommand, remark: string): RemotingCommand =>
    createResponse(request, ResponseCode.SYSTEM_ERROR, { remark });

  const updateAndCreate: Handler = async (request) => {
    const header = decodeCreateTopicRequestHeader(request.extFields);
    const problem = adminTopicProblem(header.topic, deps.clusterName);
    if (problem !== undefined) return refuse(request, problem);
    const counts = [header.readQueueNums, header.writeQueueNums];
    if (counts.some((count) => count < 0 || count > MAX_QUEUE_NUMS)) {
      return refuse(
        request,
        `queue counts must be between 0 and ${MAX_QUEUE_NUMS} (read ${header.readQueueNums}, write ${header.writeQueueNums})`,
      );
    }
    const config: TopicConfig = {
      topicName: header.topic,
      readQueueNums: header.readQueueNums,
      writeQueueNums: header.writeQueueNums,
      perm: header.perm,
      topicFilterType: header.topicFilterType,
      topicSysFlag: header.topicSysFlag ?? 0,
      order: header.order,
    };
    await deps.topics.upsert(config);
    await deps.registered();
    return createResponse(request, ResponseCode.SUCCESS);
  };

  const getAll: Handler = (request) =>
    createResponse(request, ResponseCode.SUCCESS, {
      body: Buffer.from(
        topicConfigSerializeWrapperJson({
          topicConfigTable: Object.fromEntries(deps.topics.all()),
          dataVersion: deps.topics.dataVersion,
        }),
        'utf8',
      ),
    });

  const remove: Handler = async (request) => {
    const { topic } = decodeDeleteTopicRequestHeader(request.extFields);
    const problem = adminTopicProblem(topic, deps.clusterName);
    if (problem !== undefined) return refuse(request, problem);
    // Java deletes queues and offsets whether or not the table still knew the topic: leftovers go too.
    await deps.topics.delete(topic);
    deps.offsets.removeTopic(topic);
    await deps.deleteQueues(topic);
    await deps.registered();
    return createResponse(request, ResponseCode.SUCCESS);
  };

  return new Map([
    [RequestCode.UPDATE_AND_CREATE_TOPIC, guarded(updateAndCreate)],
    [RequestCode.GET_ALL_TOPIC_CONFIG, guarded(getAll)],
    [RequestCode.DELETE_TOPIC_IN_BROKER, guarded(remove)],
  ]);
}
