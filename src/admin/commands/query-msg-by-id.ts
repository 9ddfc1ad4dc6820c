import { MQClientError } from '../../errors.js';
import {
  encodeQueryMessageRequestHeader,
  encodeViewMessageRequestHeader,
} from '../../protocol/headers/query.js';
import type { MessageExt } from '../../protocol/message.js';
import { decodeOffsetMsgId } from '../../protocol/msg-id.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { formatAddress } from '../../remoting/address.js';
import type { AdminClient } from '../admin-client.js';
import type { AdminCommand } from '../command.js';
import { formatMessage, messageJson, messagesOf } from '../message-view.js';
import { optionalText, requiredText } from '../option-values.js';

/** The client id (UNIQ_KEY) lookup: the index on every broker of the topic. */
async function byUniqKey(client: AdminClient, topic: string, key: string): Promise<MessageExt[]> {
  const found: MessageExt[] = [];
  for (const address of (await client.topicMasters(topic)).values()) {
    const response = await client.invoke(address, RequestCode.QUERY_MESSAGE, {
      extFields: encodeQueryMessageRequestHeader({
        topic,
        key,
        maxNum: 32,
        beginTimestamp: 0,
        endTimestamp: Number.MAX_SAFE_INTEGER,
        uniqueKeyQuery: true,
      }),
      accept: [ResponseCode.QUERY_NOT_FOUND],
    });
    found.push(...messagesOf(response.body));
  }
  return found;
}

/** The offset msgId lookup: the store host and CommitLog offset are in the id. */
async function byOffsetId(client: AdminClient, msgId: string): Promise<MessageExt[]> {
  const { host, physicalOffset } = decodeOffsetMsgId(msgId);
  const response = await client.invoke(formatAddress(host), RequestCode.VIEW_MESSAGE_BY_ID, {
    extFields: encodeViewMessageRequestHeader({ offset: physicalOffset }),
  });
  return messagesOf(response.body);
}

export const queryMsgById: AdminCommand = {
  name: 'queryMsgById',
  summary: 'a message by its offset msgId, or by its client id (UNIQ_KEY) with --topic',
  options: {
    'msg-id': { short: 'i', type: 'string', arg: 'MSGID', help: 'the message id (required)' },
    topic: {
      short: 't',
      type: 'string',
      arg: 'TOPIC',
      help: "the message's topic: look the id up as a UNIQ_KEY first",
    },
  },
  async run(client, options) {
    const msgId = requiredText(options, 'msg-id');
    const topic = optionalText(options, 'topic');
    let messages = topic === undefined ? [] : await byUniqKey(client, topic, msgId);
    if (messages.length === 0) {
      messages = await byOffsetId(client, msgId).catch((error: unknown) => {
        if (topic !== undefined) return [];
        throw error;
      });
    }
    if (messages.length === 0) throw new MQClientError('ERR_ADMIN_NOT_FOUND', `no message with id ${msgId}`);
    return { json: messages.map(messageJson), text: messages.map(formatMessage).join('\n\n') };
  },
};
