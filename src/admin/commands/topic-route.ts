import type { AdminCommand } from '../command.js';
import { masterAddress } from '../admin-client.js';
import { requiredText } from '../option-values.js';
import { formatTable } from '../table.js';

export const topicRoute: AdminCommand = {
  name: 'topicRoute',
  summary: "a topic's route: which brokers serve it with how many queues",
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const route = await client.topicRoute(topic);
    const rows = [...route.queueDatas]
      .sort((a, b) => a.brokerName.localeCompare(b.brokerName))
      .map((q) => {
        const broker = route.brokerDatas.find((b) => b.brokerName === q.brokerName);
        return [
          q.brokerName,
          broker === undefined ? '' : (masterAddress(broker) ?? ''),
          q.readQueueNums,
          q.writeQueueNums,
          q.perm,
        ];
      });
    return {
      json: route,
      text: formatTable(['#Broker Name', '#Addr', '#Read Queues', '#Write Queues', '#Perm'], rows),
    };
  },
};
