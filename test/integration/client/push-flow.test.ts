import { firstValueFrom, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createPushConsumer } from '../../../src/client/push-consumer.js';
import type { ConsumerEvent } from '../../../src/client/push-consumer-options.js';
import { type BrokerProcess } from '../../../src/testing/broker-process.js';
import { bodyOf, sendNumbered, waitFor } from '../../fixtures/client/push-fixture.js';
import { usePushHarness } from '../../fixtures/client/push-harness.js';

const harness = usePushHarness();
const { consumers, subscriptions } = harness;

const start = (topic: string, queues: number): Promise<BrokerProcess> =>
  harness.start({ topic, queues, producerGroup: 'pg-flow' });

describe('push consumer: flow control and long polling', () => {
  it('a slow handler keeps each queue’s in-flight window within the pull thresholds', async () => {
    const topic = 'Slow';
    const b = await start(topic, 1);
    const sent = await sendNumbered(harness.producer, topic, 300);
    const thresholds = { maxMessages: 40, maxOffsetSpan: 60, maxBytes: 30 * 1024 };
    const batch = 16;
    const consumer = createPushConsumer({
      group: 'cg-slow',
      namesrv: b.namesrvAddress,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pullBatchSize: batch,
      pullThresholds: thresholds,
    });
    consumers.push(consumer);
    const peak = { count: 0, bytes: 0, offsetSpan: 0 };
    let done = 0;
    subscriptions.push(
      consumer
        .consume$(
          topic,
          '*',
          () => {
            for (const s of consumer.processQueueStats().values()) {
              peak.count = Math.max(peak.count, s.count);
              peak.bytes = Math.max(peak.bytes, s.bytes);
              peak.offsetSpan = Math.max(peak.offsetSpan, s.offsetSpan);
            }
            return timer(2);
          },
          { concurrency: 1 },
        )
        .subscribe(() => done++),
    );
    await waitFor('all 300 handled', () => done === sent.length, 60_000);
    // a pull goes out only below every threshold, and brings at most one batch on top
    expect(peak.count).toBeLessThan(thresholds.maxMessages + batch);
    expect(peak.offsetSpan).toBeLessThanOrEqual(thresholds.maxOffsetSpan + batch);
    // the window did fill up to a threshold, so the pulls were held back rather than never tested
    expect(peak.count).toBeGreaterThanOrEqual(thresholds.maxMessages);
  });

  it('a parked pull is answered by the next send to its queue', async () => {
    const topic = 'Parked';
    const b = await start(topic, 1);
    const consumer = createPushConsumer({ group: 'cg-parked', namesrv: b.namesrvAddress });
    consumers.push(consumer);
    const log: string[] = [];
    const pulls: Extract<ConsumerEvent, { type: 'pull' }>[] = [];
    subscriptions.push(
      consumer.events$.subscribe((e) => {
        if (e.type === 'rebalanced' || e.queue.topic !== topic) return;
        if (e.type === 'pull') pulls.push(e);
        log.push(e.type === 'pull' ? `pull ${e.id}` : `answered ${e.id} ${e.status} ${e.count}`);
      }),
      consumer.messages$(topic).subscribe((m) => {
        log.push(`message ${bodyOf(m)}`);
        m.ack();
      }),
    );
    await waitFor('a pull of the empty queue', () => pulls.length > 0);
    const parked = pulls.at(-1)!.id;
    // the broker answers an empty pull only after its suspend time (15 s), far beyond this pause
    await firstValueFrom(timer(500));
    expect(log.at(-1)).toBe(`pull ${parked}`);

    log.push('sending');
    await firstValueFrom(harness.producer.send$({ topic, body: 'wake' }));
    await waitFor('the message', () => log.includes('message wake'));
    expect(log.slice(log.indexOf('sending'), log.indexOf('message wake') + 1)).toEqual([
      'sending',
      `answered ${parked} FOUND 1`,
      'message wake',
    ]);
  });

  it('an idle consumer makes at most one pull per queue per suspend period', async () => {
    const topic = 'Idle';
    const b = await start(topic, 2);
    const suspendMs = 1000;
    const consumer = createPushConsumer({
      group: 'cg-idle',
      namesrv: b.namesrvAddress,
      brokerSuspendMaxTimeMs: suspendMs,
    });
    consumers.push(consumer);
    const pullsAt = new Map<string, number[]>();
    subscriptions.push(
      consumer.events$.subscribe((e) => {
        if (e.type !== 'pull') return;
        const key = `${e.queue.topic}@${e.queue.queueId}`;
        pullsAt.set(key, [...(pullsAt.get(key) ?? []), Date.now()]);
      }),
      consumer.messages$(topic).subscribe((m) => {
        m.ack();
      }),
    );
    await waitFor('pulls of both queues and the retry queue', () => pullsAt.size === 3);
    await firstValueFrom(timer(4 * suspendMs));
    const now = Date.now();
    for (const [queue, times] of pullsAt) {
      // a client that re-pulled at once on an empty answer would be in the hundreds here; the one extra
      // pull allows for a broker timer that fires a little before the suspend time is up
      const periods = (now - times[0]!) / suspendMs;
      expect(times.length, `pulls of ${queue}`).toBeLessThanOrEqual(Math.ceil(periods) + 1);
    }
  });
});
