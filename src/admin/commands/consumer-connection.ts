import { MQBrokerError } from '../../errors.js';
import {
  type ConsumerConnectionBody,
  decodeConsumerConnection,
  encodeGetConsumerConnectionListRequestHeader,
} from '../../protocol/headers/admin-stats.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { AdminCommand } from '../command.js';
import { requiredText } from '../option-values.js';
import { formatTable } from '../table.js';

export const consumerConnection: AdminCommand = {
  name: 'consumerConnection',
  summary: "a consumer group's online members and their subscriptions",
  options: {
    group: { short: 'g', type: 'string', arg: 'GROUP', help: 'the consumer group (required)' },
  },
  async run(client, options) {
    const consumerGroup = requiredText(options, 'group');
    let found: ConsumerConnectionBody | undefined;
    for (const address of (await client.masters()).values()) {
      const response = await client.invoke(address, RequestCode.GET_CONSUMER_CONNECTION_LIST, {
        extFields: encodeGetConsumerConnectionListRequestHeader({ consumerGroup }),
        accept: [ResponseCode.CONSUMER_NOT_ONLINE],
      });
      if (response.code === ResponseCode.SUCCESS) {
        found = decodeConsumerConnection(response.body);
        break;
      }
    }
    if (found === undefined) {
      throw new MQBrokerError(
        ResponseCode.CONSUMER_NOT_ONLINE,
        `the consumer group[${consumerGroup}] not online`,
      );
    }
    const members = formatTable(
      ['#ClientId', '#ClientAddr', '#Language', '#Version'],
      [...found.connectionSet]
        .sort((a, b) => a.clientId.localeCompare(b.clientId))
        .map((c) => [c.clientId, c.clientAddr, c.language, c.version]),
    );
    const subscriptions = formatTable(
      ['#Topic', '#SubExpression'],
      Object.keys(found.subscriptionTable)
        .sort()
        .map((topic) => [topic, found.subscriptionTable[topic]!.subString]),
    );
    return {
      json: found,
      text: [
        members,
        '',
        'Below is subscription:',
        subscriptions,
        '',
        `ConsumeType: ${found.consumeType}`,
        `MessageModel: ${found.messageModel}`,
        `ConsumeFromWhere: ${found.consumeFromWhere}`,
      ].join('\n'),
    };
  },
};
