import { encodeDeleteTopicInNamesrvRequestHeader } from '../../protocol/headers/namesrv.js';
import { encodeDeleteTopicRequestHeader } from '../../protocol/headers/topic-admin.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { optionalText, requiredText } from '../option-values.js';

export const deleteTopic: AdminCommand = {
  name: 'deleteTopic',
  summary: 'delete a topic from its brokers (or a cluster) and from the name servers',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    cluster: {
      short: 'c',
      type: 'string',
      arg: 'CLUSTER',
      help: "this cluster's master brokers (default: the brokers of the topic's route)",
    },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const cluster = optionalText(options, 'cluster');
    const masters = cluster === undefined ? await client.topicMasters(topic) : await client.masters(cluster);
    const brokers: string[] = [];
    for (const address of masters.values()) {
      await client.invoke(address, RequestCode.DELETE_TOPIC_IN_BROKER, {
        extFields: encodeDeleteTopicRequestHeader({ topic }),
      });
      brokers.push(address);
    }
    for (const address of client.namesrvAddresses) {
      await client.invoke(address, RequestCode.DELETE_TOPIC_IN_NAMESRV, {
        extFields: encodeDeleteTopicInNamesrvRequestHeader({ topic }),
      });
    }
    return {
      json: { topic, brokers, namesrv: client.namesrvAddresses },
      text: `delete topic [${topic}] from ${brokers.length} broker(s) [${brokers.join(', ')}] and the name server(s) success.`,
    };
  },
};
