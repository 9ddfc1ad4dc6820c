import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../src/admin/admin-client.js';
import { pullOnce } from '../../../src/admin/pull-once.js';
import { type Producer, createProducer } from '../../../src/client/producer.js';
import { silentLogger } from '../../../src/logger.js';
import { encodeUpdateConsumerOffsetRequestHeader } from '../../../src/protocol/headers/consumer-offset.js';
import { decodeKvTable } from '../../../src/protocol/headers/namesrv-bodies.js';
import { PullSysFlag, encodePullMessageRequestHeader } from '../../../src/protocol/headers/pull.js';
import { decodeOffsetMsgId } from '../../../src/protocol/msg-id.js';
import { createRequest } from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { createRemotingClient } from '../../../src/remoting/client.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { call, createTopic } from '../../fixtures/broker/broker-fixture.js';

let broker: BrokerProcess;
let producer: Producer;
beforeAll(async () => {
  broker = await startBrokerProcess({ args: ['--metrics-port', '0'] });
  producer = createProducer({ group: 'metrics-pg', namesrv: broker.namesrvAddress });
});
afterAll(async () => {
  await producer.shutdown();
  await broker.dispose();
});

async function scrape(): Promise<string> {
  const response = await fetch(`http://${broker.metricsAddress}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample, 0 when the series is absent (a counter nobody moved yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return 0;
}

const sendTo = (topic: string, queueId: number, body: string) =>
  firstValueFrom(
    producer.send$({ topic, body: Buffer.from(body) }, { queue: { topic, brokerName: 'broker-a', queueId } }),
  );

async function runtimeInfo(): Promise<Record<string, string>> {
  const response = await call(broker.brokerAddress, RequestCode.GET_BROKER_RUNTIME_INFO);
  return { ...decodeKvTable(response.body).table };
}

describe('the broker metrics endpoint', () => {
  it('is printed at start and serves Prometheus text on /metrics only', async () => {
    expect(broker.metricsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const text = await scrape();
    expect(text).toContain('# TYPE rocketmq_messages_in_total counter');
    expect(text).toContain('# TYPE rocketmq_put_latency_seconds histogram');
    expect(sample(text, 'rocketmq_long_polling_parked_pulls')).toBe(0);
    expect(sample(text, 'rocketmq_ha_lag_bytes')).toBe(0);
    expect((await fetch(`http://${broker.metricsAddress}/`)).status).toBe(404);
  });

  it('counts messages and bytes in and out per topic, put latencies, lag and the store, exactly', async () => {
    const topic = 'MetricsTopic';
    await createTopic(broker.brokerAddress, topic, 2);
    const before = await scrape();
    const putsBefore = sample(before, 'rocketmq_put_latency_seconds_count');
    const results = [];
    for (const body of ['a', 'bb', 'ccc', 'dddd', 'eeeee']) results.push(await sendTo(topic, 0, body));
    const firstOffset = decodeOffsetMsgId(results[0]!.offsetMsgId).physicalOffset;
    const storedBytes = Number((await runtimeInfo()).commitLogMaxOffset) - firstOffset;

    const afterSend = await scrape();
    const labels = { topic };
    expect(sample(afterSend, 'rocketmq_messages_in_total', labels)).toBe(5);
    expect(sample(afterSend, 'rocketmq_bytes_in_total', labels)).toBe(storedBytes);
    expect(sample(afterSend, 'rocketmq_put_latency_seconds_count') - putsBefore).toBe(5);
    expect(sample(afterSend, 'rocketmq_messages_out_total', labels)).toBe(0);
    expect(sample(afterSend, 'rocketmq_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(afterSend, 'rocketmq_store_size_bytes')).toBeGreaterThanOrEqual(storedBytes);
    const disk = sample(afterSend, 'rocketmq_disk_used_ratio');
    expect(disk).toBeGreaterThan(0);
    expect(disk).toBeLessThanOrEqual(1);

    const admin = new AdminClient([broker.namesrvAddress], 5000);
    try {
      const first = await pullOnce(admin, broker.brokerAddress, { topic, queueId: 0, offset: 0 }, 3);
      const rest = await pullOnce(admin, broker.brokerAddress, { topic, queueId: 0, offset: 3 }, 32);
      expect([...first.messages, ...rest.messages].map((m) => Buffer.from(m.body).toString())).toEqual([
        'a',
        'bb',
        'ccc',
        'dddd',
        'eeeee',
      ]);
      // An empty queue answers PULL_NOT_FOUND: nothing more goes out.
      await pullOnce(admin, broker.brokerAddress, { topic, queueId: 1, offset: 0 }, 32);
    } finally {
      await admin.close();
    }
    const commit = await call(broker.brokerAddress, RequestCode.UPDATE_CONSUMER_OFFSET, {
      extFields: encodeUpdateConsumerOffsetRequestHeader({
        consumerGroup: 'metrics-cg',
        topic,
        queueId: 0,
        commitOffset: 2,
      }),
    });
    expect(commit.code).toBe(ResponseCode.SUCCESS);

    const afterPull = await scrape();
    expect(sample(afterPull, 'rocketmq_messages_out_total', labels)).toBe(5);
    expect(sample(afterPull, 'rocketmq_bytes_out_total', labels)).toBe(storedBytes);
    expect(sample(afterPull, 'rocketmq_messages_in_total', labels)).toBe(5);
    expect(sample(afterPull, 'rocketmq_consumer_lag_messages', { group: 'metrics-cg', topic })).toBe(3);
    const runtime = await runtimeInfo();
    expect(runtime.msgGetTotalTodayNow).toBe('5');
  });

  it('shows a long-polling pull as parked until a message wakes it', async () => {
    const topic = 'MetricsParkTopic';
    await createTopic(broker.brokerAddress, topic, 1);
    const client = createRemotingClient({ logger: silentLogger });
    try {
      const answered = firstValueFrom(
        client.invoke$(
          broker.brokerAddress,
          createRequest(RequestCode.PULL_MESSAGE, {
            extFields: encodePullMessageRequestHeader({
              consumerGroup: 'metrics-park-cg',
              topic,
              queueId: 0,
              queueOffset: 0,
              maxMsgNums: 32,
              sysFlag: PullSysFlag.SUSPEND | PullSysFlag.SUBSCRIPTION,
              commitOffset: 0,
              suspendTimeoutMillis: 30_000,
              subscription: '*',
              subVersion: 0,
              expressionType: 'TAG',
            }),
          }),
          40_000,
        ),
      );
      let parked = 0;
      for (let i = 0; i < 100 && parked === 0; i++) {
        parked = sample(await scrape(), 'rocketmq_long_polling_parked_pulls');
        if (parked === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(parked).toBe(1);
      await sendTo(topic, 0, 'wake up');
      const response = await answered;
      expect(response.code).toBe(ResponseCode.SUCCESS);
      const after = await scrape();
      expect(sample(after, 'rocketmq_long_polling_parked_pulls')).toBe(0);
      expect(sample(after, 'rocketmq_messages_out_total', { topic })).toBe(1);
    } finally {
      await client.close();
    }
  });
});
