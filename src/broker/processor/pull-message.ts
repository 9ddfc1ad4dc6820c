/**
 * PULL_MESSAGE (11): RocketMQ's PullMessageProcessor. Checks the broker, group, topic and queue, filters by
 * the subscription's tag hashes while reading, answers with the CommitLog records as stored and the offsets
 * the consumer continues from, parks an empty pull that asked to be suspended (long polling), and stores the
 * consumer offset a pull carries.
 */
import {
  type Observable,
  type SchedulerLike,
  catchError,
  concatMap,
  defer,
  finalize,
  from,
  of,
  throwError,
} from 'rxjs';
import type { Logger } from '../../logger.js';
import { BadRequestError } from '../../protocol/bad-request-error.js';
import {
  type PullMessageRequestHeader,
  PullSysFlag,
  decodePullMessageRequestHeader,
  encodePullMessageResponseHeader,
  hasPullSysFlag,
} from '../../protocol/headers/pull.js';
import type { SubscriptionGroupConfig } from '../../protocol/headers/subscription-group.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { Channel, RequestProcessor } from '../../remoting/channel.js';
import type { BrokerConfig } from '../config.js';
import { type Arrival, parkPull$ } from '../long-polling.js';
import type { ConsumerManager } from '../managers/consumer-manager.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { isReadable } from '../managers/topic-config.js';
import type { MessageStore } from '../store/message-store.js';
import { pullResponseCode } from './pull-status.js';
import { suggestWhichBrokerId } from './pull-suggest.js';
import { type PullFilter, pullSubscription } from './pull-subscription.js';

export interface PullMessageDeps {
  readonly config: Pick<
    BrokerConfig,
    | 'brokerIP1'
    | 'brokerPermission'
    | 'brokerRole'
    | 'longPollingEnable'
    | 'shortPollingTimeMills'
    | 'enablePropertyFilter'
    | 'maxTransferBytesOnMessageInMemory'
    | 'maxTransferCountOnMessageInMemory'
    | 'slaveReadEnable'
    | 'accessMessageInMemoryMaxRatio'
  >;
  readonly store: Pick<MessageStore, 'getMessage' | 'maxOffsetInQueue'> & {
    readonly arrivals$: Observable<Arrival>;
  };
  readonly topics: Pick<TopicConfigManager, 'get'>;
  readonly groups: Pick<SubscriptionGroupManager, 'findOrCreate'>;
  readonly consumers: Pick<ConsumerManager, 'group'>;
  readonly offsets: Pick<ConsumerOffsetManager, 'commitOffset'>;
  readonly logger: Logger;
  /** The long-polling timers' clock. */
  readonly scheduler?: SchedulerLike;
  /** Told when a pull parks and when it leaves the park, for the parked-pulls gauge. */
  readonly parking?: { parked(): void; unparked(): void };
  /** Physical memory for the read-from-slave decision; the machine's by default. */
  readonly memoryBytes?: number;
}

/** The read found nothing and the pull may wait for news. */
interface Park {
  readonly park: PullFilter;
  readonly timeoutMs: number;
}

const isPark = (result: RemotingCommand | Park): result is Park => 'park' in result;

export function createPullMessageProcessor(deps: PullMessageDeps): RequestProcessor {
  const { config } = deps;

  const checkedSubscription = async (
    header: PullMessageRequestHeader,
    channel: Channel,
  ): Promise<{ subscription: PullFilter; group: SubscriptionGroupConfig }> => {
    if (!isReadable(config.brokerPermission)) {
      throw new BadRequestError(
        `the broker[${config.brokerIP1}] pulling message is forbidden`,
        ResponseCode.NO_PERMISSION,
      );
    }
    const group = await deps.groups.findOrCreate(header.consumerGroup);
    if (group === undefined) {
      throw new BadRequestError(
        `subscription group [${header.consumerGroup}] does not exist`,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
      );
    }
    if (!group.consumeEnable) {
      throw new BadRequestError(
        `subscription group no permission, ${header.consumerGroup}`,
        ResponseCode.NO_PERMISSION,
      );
    }
    const topic = deps.topics.get(header.topic);
    if (topic === undefined) {
      throw new BadRequestError(
        `topic[${header.topic}] not exist, apply first please!`,
        ResponseCode.TOPIC_NOT_EXIST,
      );
    }
    if (!isReadable(topic.perm)) {
      throw new BadRequestError(
        `the topic[${header.topic}] pulling message is forbidden`,
        ResponseCode.NO_PERMISSION,
      );
    }
    if (header.queueId < 0 || header.queueId >= topic.readQueueNums) {
      throw new BadRequestError(
        `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topic.readQueueNums}] consumer:[${channel.remoteAddress}]`,
        ResponseCode.SYSTEM_ERROR,
      );
    }
    return {
      subscription: pullSubscription(header, group, deps.consumers, config.enablePropertyFilter),
      group,
    };
  };

  const pull = async (
    request: RemotingCommand,
    header: PullMessageRequestHeader,
    channel: Channel,
    allowSuspend: boolean,
  ): Promise<RemotingCommand | Park> => {
    const { subscription, group } = await checkedSubscription(header, channel);
    const result = await deps.store.getMessage(header.topic, header.queueId, {
      offset: header.queueOffset,
      maxCount: Math.min(header.maxMsgNums, config.maxTransferCountOnMessageInMemory),
      maxBytes: config.maxTransferBytesOnMessageInMemory,
      ...(subscription.matchesAll ? {} : { filter: subscription }),
    });
    // Stored even when the pull is parked, and only on its first run, as RocketMQ's storeOffsetEnable.
    if (
      allowSuspend &&
      hasPullSysFlag(header.sysFlag, PullSysFlag.COMMIT_OFFSET) &&
      config.brokerRole !== 'SLAVE'
    ) {
      deps.offsets.commitOffset(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
    }
    const code = pullResponseCode(result.status, header.queueOffset);
    if (
      code === ResponseCode.PULL_NOT_FOUND &&
      allowSuspend &&
      hasPullSysFlag(header.sysFlag, PullSysFlag.SUSPEND)
    ) {
      return {
        park: subscription,
        timeoutMs: config.longPollingEnable ? header.suspendTimeoutMillis : config.shortPollingTimeMills,
      };
    }
    return createResponse(request, code, {
      remark: result.status,
      extFields: encodePullMessageResponseHeader({
        suggestWhichBrokerId: suggestWhichBrokerId({
          config,
          behindBytes: result.behindBytes,
          group,
          ...(deps.memoryBytes === undefined ? {} : { memoryBytes: deps.memoryBytes }),
        }),
        nextBeginOffset: result.nextBeginOffset,
        minOffset: result.minOffset,
        maxOffset: result.maxOffset,
      }),
      ...(code === ResponseCode.SUCCESS ? { body: Buffer.concat(result.messages, result.totalBytes) } : {}),
    });
  };

  return (request, channel) => {
    let header: PullMessageRequestHeader | undefined;
    return defer(() => {
      header = decodePullMessageRequestHeader(request.extFields);
      return from(pull(request, header, channel, true));
    }).pipe(
      concatMap((first) => {
        if (!isPark(first) || header === undefined) return of(first);
        const parked = header;
        deps.parking?.parked();
        return parkPull$(
          {
            arrivals$: deps.store.arrivals$,
            maxOffsetInQueue: (t, q) => deps.store.maxOffsetInQueue(t, q),
            ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
          },
          {
            topic: parked.topic,
            queueId: parked.queueId,
            offset: parked.queueOffset,
            timeoutMs: first.timeoutMs,
            matchesTagsCode: (code) => first.park.matchesTagsCode(code),
            closed$: channel.closed$,
          },
        ).pipe(
          finalize(() => deps.parking?.unparked()),
          concatMap(() => pull(request, parked, channel, false)),
        );
      }),
      // Only a first run parks; the re-run after waking always answers.
      concatMap((answer) => (isPark(answer) ? [] : [answer])),
      catchError((error: unknown) => {
        if (!(error instanceof BadRequestError)) return throwError(() => error);
        return of(createResponse(request, error.responseCode, { remark: error.message }));
      }),
    );
  };
}
