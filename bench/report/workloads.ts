import type { Producer } from '../../src/client/producer.js';
import { drainThroughConsume, preload, sendToDelivery } from '../consume-timing.js';
import { sendBatches, sendInFlight, sendOnewayUntilStored, sendSerially } from '../send-timing.js';
import { latencyOf, type Measurement } from './measurement.js';
import type { ReportPlan, SizePlan } from './plan.js';

/** What a workload timed; the runner adds which workload, setup and size it was. */
export type Timed = Pick<Measurement, 'messages' | 'seconds' | 'latencyMs'>;

/** A started setup as workloads see it: a producer on it and the name server consumers find it by. */
export interface Target {
  readonly producer: Producer;
  readonly namesrv: string;
}

export interface WorkloadRun {
  readonly target: Target;
  readonly body: Buffer;
  readonly size: SizePlan;
  readonly plan: ReportPlan;
  note(message: string): void;
}

export interface Workload {
  readonly name: string;
  run(w: WorkloadRun): Promise<Timed>;
}

const sendTopic = (w: WorkloadRun): string => `ReportSend${w.body.length}`;

const oneInFlight = (name: string, count: (s: SizePlan) => number): Workload => ({
  name,
  run: async (w) => {
    const messages = count(w.size);
    const { seconds, latencies } = await sendSerially(
      w.target.producer,
      { topic: sendTopic(w), body: w.body },
      messages,
    );
    return { messages, seconds, latencyMs: latencyOf(latencies) };
  },
});

const manyInFlight = (name: string, count: (s: SizePlan) => number): Workload => ({
  name,
  run: async (w) => {
    const messages = count(w.size);
    const message = { topic: sendTopic(w), body: w.body };
    return { messages, seconds: await sendInFlight(w.target.producer, message, messages, w.plan.inFlight) };
  },
});

const batch: Workload = {
  name: 'batch send, 32 per batch, 16 in flight',
  run: async (w) => {
    const batches = Math.max(1, Math.floor(w.size.batchMessages / w.plan.batchSize));
    const messages = Array.from({ length: w.plan.batchSize }, () => ({ topic: sendTopic(w), body: w.body }));
    const seconds = await sendBatches(w.target.producer, messages, batches, w.plan.batchesInFlight);
    return { messages: batches * w.plan.batchSize, seconds };
  },
};

const oneway: Workload = {
  name: 'oneway send (until stored)',
  run: async (w) => {
    const messages = w.size.oneway;
    const message = { topic: sendTopic(w), body: w.body };
    return { messages, seconds: await sendOnewayUntilStored(w.target.producer, message, messages) };
  },
};

const consume: Workload = {
  name: 'consume, push, 8 queues, no-op handler',
  run: async (w) => {
    const topic = `ReportConsume${w.body.length}`;
    w.note(`pre-loading ${w.size.consume} messages`);
    const messages = await preload(w.target.producer, topic, w.body, w.size.consume);
    w.note('draining');
    const seconds = await drainThroughConsume(
      w.target.namesrv,
      topic,
      `report-drain-${w.body.length}`,
      messages,
    );
    return { messages, seconds };
  },
};

const delivery: Workload = {
  name: 'send-to-delivery, 1 at a time, parked pulls',
  run: async (w) => {
    const messages = w.size.delivery;
    const latencies = await sendToDelivery(
      w.target.namesrv,
      w.target.producer,
      `ReportDelivery${w.body.length}`,
      `report-delivery-${w.body.length}`,
      w.body,
      messages,
      w.plan.queues,
    );
    return { messages, latencyMs: latencyOf(latencies) };
  },
};

/** Everything the client does against a plain ASYNC_FLUSH broker. */
export const asyncFlushWorkloads: readonly Workload[] = [
  oneInFlight('send, 1 in flight', (s) => s.oneInFlight),
  manyInFlight('send, 256 in flight', (s) => s.inFlight),
  batch,
  oneway,
  consume,
  delivery,
];

/** SYNC_FLUSH changes what a send waits for, so only the sends are repeated. */
export const syncFlushWorkloads: readonly Workload[] = [
  oneInFlight('send, 1 in flight', (s) => s.syncFlushOneInFlight),
  manyInFlight('send, 256 in flight', (s) => s.syncFlushInFlight),
];

export const haWorkloads: readonly Workload[] = [
  oneInFlight('send, 1 in flight', (s) => s.haOneInFlight),
  manyInFlight('send, 256 in flight', (s) => s.haInFlight),
];
