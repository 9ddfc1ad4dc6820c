import type { MessageRecordInput } from '../protocol/message.js';
import type { BrokerMetrics } from './metrics/broker-metrics.js';
import type { MessageStore, PutOptions, PutResult } from './store/message-store.js';

export interface InFlightPuts {
  /** The store's batch put, timed into the metrics. */
  readonly put: (inputs: readonly MessageRecordInput[], putOptions: PutOptions) => Promise<PutResult>;
  /** Resolves once every put started so far has succeeded or failed. */
  settled(): Promise<void>;
}

/** Puts still running at close() are waited for before the store shuts down. */
export function trackInFlightPuts(
  store: Pick<MessageStore, 'putBatch'>,
  metrics: Pick<BrokerMetrics, 'recordPut'>,
): InFlightPuts {
  const inFlight = new Set<Promise<PutResult>>();
  const put = (inputs: readonly MessageRecordInput[], putOptions: PutOptions): Promise<PutResult> => {
    const started = performance.now();
    const putting = store.putBatch(inputs, putOptions);
    inFlight.add(putting);
    const settled = (): void => {
      inFlight.delete(putting);
    };
    putting.then((result) => {
      settled();
      metrics.recordPut(inputs[0]!.topic, result.records, (performance.now() - started) / 1000);
    }, settled);
    return putting;
  };
  return {
    put,
    settled: async () => {
      await Promise.allSettled(inFlight);
    },
  };
}
