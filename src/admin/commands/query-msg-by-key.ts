import { MQClientError } from '../../errors.js';
import { encodeQueryMessageRequestHeader } from '../../protocol/headers/query.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { AdminCommand } from '../command.js';
import { formatMessageTable, messageJson, messagesOf } from '../message-view.js';
import { intOption, requiredText, timeOption } from '../option-values.js';

export const queryMsgByKey: AdminCommand = {
  name: 'queryMsgByKey',
  summary: 'messages of a topic whose KEYS include a key (through the broker index)',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    key: { short: 'k', type: 'string', arg: 'KEY', help: 'the key (required)' },
    begin: { short: 'f', type: 'string', arg: 'TIME', help: 'stored at or after (default: the beginning)' },
    end: { short: 'e', type: 'string', arg: 'TIME', help: 'stored at or before (default: now and later)' },
    'max-num': { short: 'm', type: 'string', arg: 'N', help: 'at most this many per broker (default 64)' },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const key = requiredText(options, 'key');
    const now = Date.now();
    const beginTimestamp = timeOption(options, 'begin', now) ?? 0;
    const endTimestamp = timeOption(options, 'end', now) ?? Number.MAX_SAFE_INTEGER;
    const maxNum = intOption(options, 'max-num', 64, 1);
    const messages = [];
    for (const address of (await client.topicMasters(topic)).values()) {
      const response = await client.invoke(address, RequestCode.QUERY_MESSAGE, {
        extFields: encodeQueryMessageRequestHeader({ topic, key, maxNum, beginTimestamp, endTimestamp }),
        accept: [ResponseCode.QUERY_NOT_FOUND],
      });
      messages.push(...messagesOf(response.body));
    }
    if (messages.length === 0) {
      throw new MQClientError('ERR_ADMIN_NOT_FOUND', `no message of ${topic} with key ${key}`);
    }
    messages.sort((a, b) => a.queueId - b.queueId || a.queueOffset - b.queueOffset);
    return { json: messages.map(messageJson), text: formatMessageTable(messages) };
  },
};
