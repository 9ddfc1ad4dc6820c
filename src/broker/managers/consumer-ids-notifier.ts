import { type Observable, ignoreElements, tap } from 'rxjs';
import { encodeNotifyConsumerIdsChangedRequestHeader } from '../../protocol/headers/client.js';
import { createRequest } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import type { ConsumerManager } from './consumer-manager.js';
import type { SubscriptionGroupManager } from './subscription-group-manager.js';

export interface ConsumerIdsNotifierDeps {
  readonly consumers: Pick<ConsumerManager, 'changes$' | 'group'>;
  readonly groups: Pick<SubscriptionGroupManager, 'get'>;
  /** The broker's notifyConsumerIdsChangedEnable. */
  readonly enabled: boolean;
}

/**
 * RocketMQ's DefaultConsumerIdsChangeListener: when a group gains or loses a member or changes what it
 * subscribes to, every remaining member gets a oneway NOTIFY_CONSUMER_IDS_CHANGED and rebalances now
 * rather than at its next 20 s tick. Off broker-wide or per group by notifyConsumerIdsChangedEnable.
 */
export function consumerIdsNotifier$(deps: ConsumerIdsNotifierDeps): Observable<never> {
  return deps.consumers.changes$.pipe(
    tap(({ group }) => {
      if (!deps.enabled || deps.groups.get(group)?.notifyConsumerIdsChangedEnable === false) return;
      const members = deps.consumers.group(group)?.connections.values() ?? [];
      for (const { channel } of members) {
        if (channel.isClosed) continue;
        channel.oneway(
          createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, {
            extFields: encodeNotifyConsumerIdsChangedRequestHeader({ consumerGroup: group }),
          }),
        );
      }
    }),
    ignoreElements(),
  );
}
