import { decodeResetOffsetBody, encodeResetOffsetRequestHeader } from '../../protocol/headers/admin-stats.js';
import { RequestCode } from '../../protocol/request-code.js';
import { AdminUsageError } from '../admin-error.js';
import type { AdminCommand } from '../command.js';
import { boolOption, requiredText, timeOption } from '../option-values.js';
import { formatTable } from '../table.js';

export const resetOffsetByTime: AdminCommand = {
  name: 'resetOffsetByTime',
  summary: "move a group's offsets on a topic to the first message stored at or after a time",
  options: {
    group: { short: 'g', type: 'string', arg: 'GROUP', help: 'the consumer group (required)' },
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    timestamp: {
      short: 's',
      type: 'string',
      arg: 'TIME',
      help: 'milliseconds, "now", or yyyy-MM-dd#HH:mm:ss:SSS (required)',
    },
    force: {
      short: 'f',
      type: 'string',
      arg: 'true|false',
      help: 'also move offsets forward (default true); false only moves them back',
    },
  },
  async run(client, options) {
    const group = requiredText(options, 'group');
    const topic = requiredText(options, 'topic');
    const timestamp = timeOption(options, 'timestamp', Date.now());
    if (timestamp === undefined) throw new AdminUsageError('--timestamp is required');
    const isForce = boolOption(options, 'force', true);
    const queues = [];
    for (const address of (await client.topicMasters(topic)).values()) {
      const response = await client.invoke(address, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        extFields: encodeResetOffsetRequestHeader({ topic, group, timestamp, isForce }),
      });
      for (const [mq, offset] of decodeResetOffsetBody(response.body).offsetTable) {
        queues.push({ brokerName: mq.brokerName, queueId: mq.queueId, offset });
      }
    }
    return {
      json: { group, topic, timestamp, queues },
      text: formatTable(
        ['#brokerName', '#queueId', '#offset'],
        queues.map((q) => [q.brokerName, q.queueId, q.offset]),
      ),
    };
  },
};
