import { encodeDeleteSubscriptionGroupRequestHeader } from '../../protocol/headers/subscription-group.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { AdminCommand } from '../command.js';
import { boolOption, requiredText } from '../option-values.js';
import { TARGET_OPTIONS, resolveTargets } from '../targets.js';

export const deleteSubGroup: AdminCommand = {
  name: 'deleteSubGroup',
  summary: 'delete a consumer (subscription) group, and with --remove-offset its committed offsets',
  options: {
    group: { short: 'g', type: 'string', arg: 'GROUP', help: 'the consumer group (required)' },
    ...TARGET_OPTIONS,
    'remove-offset': { short: 'r', type: 'boolean', help: "also delete the group's committed offsets" },
  },
  async run(client, options) {
    const groupName = requiredText(options, 'group');
    const removeOffset = boolOption(options, 'remove-offset', false);
    const brokers: string[] = [];
    for (const address of (await resolveTargets(client, options)).values()) {
      await client.invoke(address, RequestCode.DELETE_SUBSCRIPTIONGROUP, {
        extFields: encodeDeleteSubscriptionGroupRequestHeader({ groupName, removeOffset }),
      });
      brokers.push(address);
    }
    return {
      json: { group: groupName, removeOffset, brokers },
      text: brokers.map((b) => `delete subscription group [${groupName}] from ${b} success.`).join('\n'),
    };
  },
};
