import { type TopicConfig, encodeCreateTopicRequestHeader } from '../../protocol/headers/topic-admin.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { boolOption, intOption, requiredText } from '../option-values.js';
import { TARGET_OPTIONS, resolveTargets } from '../targets.js';

/** The topic a broker copies when it creates one on first send: named as the source of the settings. */
const DEFAULT_TOPIC = 'TBW102';

export const updateTopic: AdminCommand = {
  name: 'updateTopic',
  summary: 'create a topic or change its queue counts, permission and order flag',
  options: {
    topic: { short: 't', type: 'string', arg: 'TOPIC', help: 'the topic (required)' },
    ...TARGET_OPTIONS,
    'read-queue-nums': { short: 'r', type: 'string', arg: 'N', help: 'readable queues (default 8)' },
    'write-queue-nums': { short: 'w', type: 'string', arg: 'N', help: 'writable queues (default 8)' },
    perm: { short: 'p', type: 'string', arg: 'PERM', help: '2 write, 4 read, 6 both (default 6)' },
    order: { short: 'o', type: 'string', arg: 'true|false', help: 'an ordered topic (default false)' },
  },
  async run(client, options) {
    const config: TopicConfig = {
      topicName: requiredText(options, 'topic'),
      readQueueNums: intOption(options, 'read-queue-nums', 8, 1),
      writeQueueNums: intOption(options, 'write-queue-nums', 8, 1),
      perm: intOption(options, 'perm', 6),
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: boolOption(options, 'order', false),
    };
    const brokers: string[] = [];
    for (const address of (await resolveTargets(client, options)).values()) {
      await client.invoke(address, RequestCode.UPDATE_AND_CREATE_TOPIC, {
        extFields: encodeCreateTopicRequestHeader({
          ...config,
          topic: config.topicName,
          defaultTopic: DEFAULT_TOPIC,
        }),
      });
      brokers.push(address);
    }
    return {
      json: { brokers, topicConfig: config },
      text: [...brokers.map((b) => `create topic to ${b} success.`), JSON.stringify(config)].join('\n'),
    };
  },
};
