import { MQClientError } from '../../errors.js';
import {
  decodeConsumeStats,
  encodeGetConsumeStatsRequestHeader,
} from '../../protocol/headers/admin-stats.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { optionalText, requiredText } from '../option-values.js';
import { formatTable } from '../table.js';

export const consumerProgress: AdminCommand = {
  name: 'consumerProgress',
  summary: "a group's progress per queue: broker offset, consumer offset and lag, and the total lag",
  options: {
    group: { short: 'g', type: 'string', arg: 'GROUP', help: 'the consumer group (required)' },
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'only this topic' },
  },
  async run(client, options) {
    const consumerGroup = requiredText(options, 'group');
    const topic = optionalText(options, 'topic');
    const queues = [];
    let consumeTps = 0;
    for (const address of (await client.masters()).values()) {
      const response = await client.invoke(address, RequestCode.GET_CONSUME_STATS, {
        extFields: encodeGetConsumeStatsRequestHeader({ consumerGroup, topic }),
      });
      const stats = decodeConsumeStats(response.body);
      consumeTps += stats.consumeTps;
      for (const [mq, o] of stats.offsetTable) {
        queues.push({
          topic: mq.topic,
          brokerName: mq.brokerName,
          queueId: mq.queueId,
          brokerOffset: o.brokerOffset,
          consumerOffset: o.consumerOffset,
          lag: Math.max(0, o.brokerOffset - o.consumerOffset),
          lastTimestamp: o.lastTimestamp,
        });
      }
    }
    if (queues.length === 0) {
      throw new MQClientError(
        'ERR_ADMIN_NOT_FOUND',
        `no consume stats for group ${consumerGroup}${topic === undefined ? '' : ` on ${topic}`}: it has committed no offset`,
      );
    }
    const totalLag = queues.reduce((sum, q) => sum + q.lag, 0);
    const table = formatTable(
      ['#Topic', '#Broker Name', '#QID', '#Broker Offset', '#Consumer Offset', '#Diff', '#LastTime'],
      queues.map((q) => [
        q.topic,
        q.brokerName,
        q.queueId,
        q.brokerOffset,
        q.consumerOffset,
        q.lag,
        q.lastTimestamp > 0 ? new Date(q.lastTimestamp).toISOString() : '',
      ]),
    );
    return {
      json: { group: consumerGroup, queues, consumeTps, totalLag },
      text: `${table}\n\nConsume TPS: ${consumeTps}\nDiff Total: ${totalLag}`,
    };
  },
};
