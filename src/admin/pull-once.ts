/** One PULL_MESSAGE as the admin tool sends it: no commit, no long polling, every tag. */
import {
  PullSysFlag,
  decodePullMessageResponseHeader,
  encodePullMessageRequestHeader,
} from '../protocol/headers/pull.js';
import type { MessageExt } from '../protocol/message.js';
import { RequestCode } from '../protocol/request-code.js';
import { ResponseCode } from '../protocol/response-code.js';
import type { AdminClient } from './admin-client.js';
import { messagesOf } from './message-view.js';

/** MixAll.TOOLS_CONSUMER_GROUP: the group Java's tools pull as. */
export const TOOLS_CONSUMER_GROUP = 'TOOLS_CONSUMER';

export interface PullOnce {
  readonly messages: MessageExt[];
  readonly nextBeginOffset: number;
  readonly maxOffset: number;
}

export async function pullOnce(
  client: AdminClient,
  address: string,
  queue: { readonly topic: string; readonly queueId: number; readonly offset: number },
  maxMsgNums: number,
  consumerGroup = TOOLS_CONSUMER_GROUP,
): Promise<PullOnce> {
  const response = await client.invoke(address, RequestCode.PULL_MESSAGE, {
    extFields: encodePullMessageRequestHeader({
      consumerGroup,
      topic: queue.topic,
      queueId: queue.queueId,
      queueOffset: queue.offset,
      maxMsgNums,
      sysFlag: PullSysFlag.SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
      expressionType: 'TAG',
    }),
    accept: [
      ResponseCode.PULL_NOT_FOUND,
      ResponseCode.PULL_OFFSET_MOVED,
      ResponseCode.PULL_RETRY_IMMEDIATELY,
    ],
  });
  const header = decodePullMessageResponseHeader(response.extFields);
  return {
    messages: response.code === ResponseCode.SUCCESS ? messagesOf(response.body) : [],
    nextBeginOffset: header.nextBeginOffset,
    maxOffset: header.maxOffset,
  };
}
