import {
  type SubscriptionGroupConfig,
  defaultSubscriptionGroupConfig,
  encodeSubscriptionGroupConfig,
} from '../../protocol/headers/subscription-group.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { boolOption, intOption, requiredText } from '../option-values.js';
import { TARGET_OPTIONS, resolveTargets } from '../targets.js';

export const updateSubGroup: AdminCommand = {
  name: 'updateSubGroup',
  summary: 'create a consumer (subscription) group or change its settings',
  options: {
    group: { short: 'g', type: 'string', arg: 'GROUP', help: 'the consumer group (required)' },
    ...TARGET_OPTIONS,
    'consume-enable': { short: 's', type: 'string', arg: 'true|false', help: 'may consume (default true)' },
    'consume-from-min-enable': { short: 'm', type: 'string', arg: 'true|false', help: 'default true' },
    'consume-broadcast-enable': { short: 'd', type: 'string', arg: 'true|false', help: 'default true' },
    'retry-queue-nums': { short: 'q', type: 'string', arg: 'N', help: 'queues of %RETRY%group (default 1)' },
    'retry-max-times': {
      short: 'r',
      type: 'string',
      arg: 'N',
      help: 'deliveries before the DLQ (default 16)',
    },
    'broker-id': { short: 'i', type: 'string', arg: 'ID', help: 'broker to consume from (default 0)' },
    'which-broker-when-consume-slowly': { short: 'w', type: 'string', arg: 'ID', help: 'default 1' },
    'notify-consumer-ids-changed': { short: 'a', type: 'string', arg: 'true|false', help: 'default true' },
  },
  async run(client, options) {
    const d = defaultSubscriptionGroupConfig(requiredText(options, 'group'));
    const config: SubscriptionGroupConfig = {
      groupName: d.groupName,
      consumeEnable: boolOption(options, 'consume-enable', d.consumeEnable),
      consumeFromMinEnable: boolOption(options, 'consume-from-min-enable', d.consumeFromMinEnable),
      consumeBroadcastEnable: boolOption(options, 'consume-broadcast-enable', d.consumeBroadcastEnable),
      retryQueueNums: intOption(options, 'retry-queue-nums', d.retryQueueNums),
      retryMaxTimes: intOption(options, 'retry-max-times', d.retryMaxTimes, -1),
      brokerId: intOption(options, 'broker-id', d.brokerId),
      whichBrokerWhenConsumeSlowly: intOption(
        options,
        'which-broker-when-consume-slowly',
        d.whichBrokerWhenConsumeSlowly,
      ),
      notifyConsumerIdsChangedEnable: boolOption(
        options,
        'notify-consumer-ids-changed',
        d.notifyConsumerIdsChangedEnable,
      ),
    };
    const brokers: string[] = [];
    for (const address of (await resolveTargets(client, options)).values()) {
      await client.invoke(address, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {
        body: encodeSubscriptionGroupConfig(config),
      });
      brokers.push(address);
    }
    return {
      json: { brokers, subscriptionGroupConfig: config },
      text: [
        ...brokers.map((b) => `create subscription group to ${b} success.`),
        JSON.stringify(config),
      ].join('\n'),
    };
  },
};
