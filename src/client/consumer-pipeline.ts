import { type Observable, defer, finalize, merge } from 'rxjs';
import { type ConsumeAssignedDeps, consumeAssigned$ } from './consume-assigned.js';
import type { ConsumerMessage } from './consumer-message.js';
import { type RebalanceOptions, type RebalancePorts, rebalance$ } from './rebalance/rebalance.js';

export interface ConsumerPipelineOptions {
  readonly rebalancePorts: RebalancePorts;
  readonly rebalance: RebalanceOptions;
  readonly consume: ConsumeAssignedDeps;
}

/**
 * One subscription of a push consumer to a topic, as a single Observable: rebalance decides the queues,
 * each queue is pulled into its window, offsets are persisted every 5 s, and unsubscribing stops every loop
 * and writes the offsets one last time.
 */
export function consumerPipeline$(options: ConsumerPipelineOptions): Observable<ConsumerMessage> {
  const { offsets } = options.consume;
  return defer(() =>
    merge(
      consumeAssigned$(rebalance$(options.rebalancePorts, options.rebalance), options.consume),
      offsets.persistLoop$(),
    ).pipe(
      finalize(() => {
        // teardown cannot wait; the write goes out on its own, like RocketMQ's persistAllConsumerOffset on shutdown
        offsets.persist$().subscribe();
      }),
    ),
  );
}
