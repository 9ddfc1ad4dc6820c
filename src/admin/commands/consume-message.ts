import { MQClientError } from '../../errors.js';
import {
  decodeGetMinOffsetResponseHeader,
  encodeGetMinOffsetRequestHeader,
} from '../../protocol/headers/queue-offset.js';
import type { MessageExt } from '../../protocol/message.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminClient } from '../admin-client.js';
import type { AdminCommand } from '../command.js';
import { formatMessageTable, messageJson } from '../message-view.js';
import { intOption, optionalText, requiredText } from '../option-values.js';
import { TOOLS_CONSUMER_GROUP, pullOnce } from '../pull-once.js';

const PULL_BATCH = 32;

async function minOffset(
  client: AdminClient,
  address: string,
  topic: string,
  queueId: number,
): Promise<number> {
  const response = await client.invoke(address, RequestCode.GET_MIN_OFFSET, {
    extFields: encodeGetMinOffsetRequestHeader({ topic, queueId }),
  });
  return decodeGetMinOffsetResponseHeader(response.extFields).offset;
}

export const consumeMessage: AdminCommand = {
  name: 'consumeMessage',
  summary: 'print up to N messages of a topic, queue by queue from the oldest, without committing offsets',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    'broker-name': { short: 'b', type: 'string', arg: 'NAME', help: 'only this broker' },
    'queue-id': { short: 'i', type: 'string', arg: 'N', help: 'only this queue' },
    offset: { short: 'o', type: 'string', arg: 'N', help: 'start at this offset (default: the oldest kept)' },
    count: { short: 'c', type: 'string', arg: 'N', help: 'at most this many messages (default 128)' },
    group: {
      short: 'g',
      type: 'string',
      arg: 'GROUP',
      help: `pull as this group (default ${TOOLS_CONSUMER_GROUP})`,
    },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const onlyBroker = optionalText(options, 'broker-name');
    const onlyQueue =
      optionalText(options, 'queue-id') === undefined ? undefined : intOption(options, 'queue-id', 0);
    const startOffset =
      optionalText(options, 'offset') === undefined ? undefined : intOption(options, 'offset', 0);
    const count = intOption(options, 'count', 128, 1);
    const group = optionalText(options, 'group') ?? TOOLS_CONSUMER_GROUP;
    const route = await client.topicRoute(topic);
    const masters = await client.topicMasters(topic);
    const messages: MessageExt[] = [];
    for (const queues of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
      const address = masters.get(queues.brokerName);
      if (address === undefined || (onlyBroker !== undefined && queues.brokerName !== onlyBroker)) continue;
      for (let queueId = 0; queueId < queues.readQueueNums; queueId++) {
        if (onlyQueue !== undefined && queueId !== onlyQueue) continue;
        let offset = startOffset ?? (await minOffset(client, address, topic, queueId));
        while (messages.length < count) {
          const batch = Math.min(PULL_BATCH, count - messages.length);
          const pulled = await pullOnce(client, address, { topic, queueId, offset }, batch, group);
          if (pulled.messages.length === 0) break;
          messages.push(...pulled.messages.slice(0, count - messages.length));
          offset = pulled.nextBeginOffset;
        }
      }
    }
    if (onlyBroker !== undefined && !masters.has(onlyBroker)) {
      throw new MQClientError('ERR_ADMIN_NOT_FOUND', `broker ${onlyBroker} does not serve topic ${topic}`);
    }
    return { json: messages.map(messageJson), text: formatMessageTable(messages) };
  },
};
