import { MQClientError } from '../../errors.js';
import type { AdminCommand } from '../command.js';
import { formatMessage, messageJson } from '../message-view.js';
import { intOption, requiredText } from '../option-values.js';
import { pullOnce } from '../pull-once.js';

export const queryMsgByOffset: AdminCommand = {
  name: 'queryMsgByOffset',
  summary: 'the message at an offset of one queue',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    'broker-name': { short: 'b', type: 'string', arg: 'NAME', help: 'the broker (required)' },
    'queue-id': { short: 'i', type: 'string', arg: 'N', help: 'the queue (required)' },
    offset: { short: 'o', type: 'string', arg: 'N', help: 'the ConsumeQueue offset (required)' },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const brokerName = requiredText(options, 'broker-name');
    requiredText(options, 'queue-id');
    requiredText(options, 'offset');
    const queueId = intOption(options, 'queue-id', 0);
    const offset = intOption(options, 'offset', 0);
    const address = (await client.topicMasters(topic)).get(brokerName);
    if (address === undefined) {
      throw new MQClientError('ERR_ADMIN_NOT_FOUND', `broker ${brokerName} does not serve topic ${topic}`);
    }
    const { messages } = await pullOnce(client, address, { topic, queueId, offset }, 1);
    const message = messages.find((m) => m.queueOffset === offset);
    if (message === undefined) {
      throw new MQClientError(
        'ERR_ADMIN_NOT_FOUND',
        `no message at ${topic} ${brokerName} queue ${queueId} offset ${offset}`,
      );
    }
    return { json: messageJson(message), text: formatMessage(message) };
  },
};
