import { firstValueFrom } from 'rxjs';
import { createProducer } from '../../client/producer.js';
import type { Message } from '../../client/message.js';
import { silentLogger } from '../../logger.js';
import { AdminUsageError } from '../admin-error.js';
import type { AdminCommand } from '../command.js';
import { intOption, optionalText, requiredText } from '../option-values.js';
import { formatTable } from '../table.js';

/** The producer group Java's sendMessage tool sends as. */
const TOOLS_PRODUCER_GROUP = 'TOOLS_PRODUCER';

export const sendMessage: AdminCommand = {
  name: 'sendMessage',
  summary: 'send one message (to a chosen queue with --broker-name and --queue-id)',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    body: { short: 'p', type: 'string', arg: 'TEXT', help: 'the body, UTF-8 (required)' },
    keys: { short: 'k', type: 'string', arg: 'KEYS', help: 'the message keys (space separated)' },
    tags: { short: 'c', type: 'string', arg: 'TAG', help: 'the tag' },
    'broker-name': { short: 'b', type: 'string', arg: 'NAME', help: 'send to this broker (with --queue-id)' },
    'queue-id': { short: 'i', type: 'string', arg: 'N', help: 'send to this queue (with --broker-name)' },
  },
  async run(client, options) {
    const topic = requiredText(options, 'topic');
    const body = requiredText(options, 'body');
    const keys = optionalText(options, 'keys');
    const tags = optionalText(options, 'tags');
    const brokerName = optionalText(options, 'broker-name');
    const queueText = optionalText(options, 'queue-id');
    if ((brokerName === undefined) !== (queueText === undefined)) {
      throw new AdminUsageError('--broker-name and --queue-id go together');
    }
    const message: Message = {
      topic,
      body: Buffer.from(body, 'utf8'),
      ...(keys === undefined ? {} : { keys }),
      ...(tags === undefined ? {} : { tags }),
    };
    const producer = createProducer({
      namesrv: client.namesrvAddresses.join(';'),
      group: TOOLS_PRODUCER_GROUP,
      logger: silentLogger,
      retryTimesWhenSendFailed: 0,
    });
    try {
      const queue =
        brokerName === undefined
          ? undefined
          : { topic, brokerName, queueId: intOption(options, 'queue-id', 0) };
      const result = await firstValueFrom(producer.send$(message, queue === undefined ? {} : { queue }));
      const row = {
        brokerName: result.messageQueue.brokerName,
        queueId: result.messageQueue.queueId,
        status: result.status,
        msgId: result.msgId,
        offsetMsgId: result.offsetMsgId,
        queueOffset: result.queueOffset,
      };
      return {
        json: row,
        text: formatTable(
          ['#Broker Name', '#QID', '#Send Result', '#MsgId', '#OffsetMsgId'],
          [[row.brokerName, row.queueId, row.status, row.msgId, row.offsetMsgId]],
        ),
      };
    } finally {
      await producer.shutdown();
    }
  },
};
