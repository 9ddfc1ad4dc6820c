import {
  decodeTopicStatsTable,
  encodeGetTopicStatsInfoRequestHeader,
} from '../../protocol/headers/admin-stats.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { requiredText } from '../option-values.js';
import { formatTable } from '../table.js';

export const topicStatus: AdminCommand = {
  name: 'topicStatus',
  summary: 'min and max offset of each queue of a topic',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const queues = [];
    for (const address of (await client.topicMasters(topic)).values()) {
      const response = await client.invoke(address, RequestCode.GET_TOPIC_STATS_INFO, {
        extFields: encodeGetTopicStatsInfoRequestHeader({ topic }),
      });
      for (const [mq, offsets] of decodeTopicStatsTable(response.body).offsetTable) {
        queues.push({ brokerName: mq.brokerName, queueId: mq.queueId, ...offsets });
      }
    }
    return {
      json: queues,
      text: formatTable(
        ['#Broker Name', '#QID', '#Min Offset', '#Max Offset', '#Last Updated'],
        queues.map((q) => [
          q.brokerName,
          q.queueId,
          q.minOffset,
          q.maxOffset,
          q.lastUpdateTimestamp > 0 ? new Date(q.lastUpdateTimestamp).toISOString() : '',
        ]),
      ),
    };
  },
};
