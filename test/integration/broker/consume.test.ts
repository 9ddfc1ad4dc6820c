import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import {
  decodeQueryConsumerOffsetResponseHeader,
  encodeQueryConsumerOffsetRequestHeader,
  encodeUpdateConsumerOffsetRequestHeader,
} from '../../../src/protocol/headers/consumer-offset.js';
import {
  type PullMessageRequestHeader,
  buildPullSysFlag,
  decodePullMessageResponseHeader,
  encodePullMessageRequestHeader,
} from '../../../src/protocol/headers/pull.js';
import { encodeConsumerSendMsgBackRequestHeader } from '../../../src/protocol/headers/send-back.js';
import { encodeSendMessageRequestHeaderV2 } from '../../../src/protocol/headers/send.js';
import { decodeRecords } from '../../../src/protocol/message-codec.js';
import {
  type ExtFields,
  type RemotingCommand,
  createRequest,
} from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type RemotingClient, createRemotingClient } from '../../../src/remoting/client.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/broker-process.js';
import { createTopic, storedMessages } from '../../fixtures/broker/broker-fixture.js';
import { header } from '../../fixtures/broker/send-fixture.js';

let broker: BrokerProcess | undefined;
let client: RemotingClient | undefined;
afterEach(async () => {
  await client?.close();
  await broker?.dispose();
  client = undefined;
  broker = undefined;
});

type Invoke = (code: number, init: { extFields?: ExtFields; body?: Uint8Array }) => Promise<RemotingCommand>;

/** A fresh connection to the broker, closed after the test. */
function connect(b: BrokerProcess): Invoke {
  const c = createRemotingClient({ logger: silentLogger });
  client = c;
  return (code, init) => firstValueFrom(c.invoke$(b.brokerAddress, createRequest(code, init), 20_000));
}

async function start(args: readonly string[] = []): Promise<{ b: BrokerProcess; invoke: Invoke }> {
  const b = await startBrokerProcess({ args });
  broker = b;
  return { b, invoke: connect(b) };
}

const send = (topic: string, body: string) => ({
  extFields: encodeSendMessageRequestHeaderV2(header({ topic, queueId: 0, defaultTopicQueueNums: 1 })),
  body: Buffer.from(body),
});

const pull = (over: Partial<PullMessageRequestHeader>) => ({
  extFields: encodePullMessageRequestHeader({
    consumerGroup: 'cg',
    topic: 'Pulled',
    queueId: 0,
    queueOffset: 0,
    maxMsgNums: 32,
    sysFlag: buildPullSysFlag({ subscription: true, suspend: true }),
    commitOffset: 0,
    suspendTimeoutMillis: 10_000,
    subscription: '*',
    subVersion: 0,
    expressionType: 'TAG',
    ...over,
  }),
});

const bodiesOf = (response: RemotingCommand): string[] =>
  decodeRecords(Buffer.from(response.body ?? [])).map((m) => Buffer.from(m.body).toString());

describe('broker process: consuming', () => {
  it('pulls back the bytes that were sent', async () => {
    const { invoke } = await start();
    await createTopic(broker!.brokerAddress, 'Pulled', 1);
    for (const body of ['one', 'two']) {
      expect((await invoke(RequestCode.SEND_MESSAGE_V2, send('Pulled', body))).code).toBe(
        ResponseCode.SUCCESS,
      );
    }
    let response = await invoke(RequestCode.PULL_MESSAGE, pull({}));
    const got = bodiesOf(response);
    if (got.length < 2) {
      response = await invoke(RequestCode.PULL_MESSAGE, pull({ queueOffset: got.length }));
      got.push(...bodiesOf(response));
    }
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(got).toEqual(['one', 'two']);
    expect(decodePullMessageResponseHeader(response.extFields)).toMatchObject({
      nextBeginOffset: 2,
      maxOffset: 2,
    });
  });

  it('answers a parked pull with the next send', async () => {
    const { invoke } = await start();
    await createTopic(broker!.brokerAddress, 'Pulled', 1);
    const events: string[] = [];
    const started = Date.now();
    const pulled = invoke(RequestCode.PULL_MESSAGE, pull({})).then((r) => {
      events.push('pull answered');
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    events.push('sending');
    await invoke(RequestCode.SEND_MESSAGE_V2, send('Pulled', 'late'));
    const response = await pulled;
    expect(events).toEqual(['sending', 'pull answered']);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(response)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps committed consumer offsets across a restart', async () => {
    const { b, invoke } = await start();
    await createTopic(b.brokerAddress, 'Pulled', 1);
    const queue = { consumerGroup: 'cg', topic: 'Pulled', queueId: 0 };
    const update = await invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      extFields: encodeUpdateConsumerOffsetRequestHeader({ ...queue, commitOffset: 42 }),
    });
    expect(update.code).toBe(ResponseCode.SUCCESS);
    await client?.close();
    await b.restart();
    const again = connect(b);
    const query = await again(RequestCode.QUERY_CONSUMER_OFFSET, {
      extFields: encodeQueryConsumerOffsetRequestHeader(queue),
    });
    expect(query.code).toBe(ResponseCode.SUCCESS);
    expect(decodeQueryConsumerOffsetResponseHeader(query.extFields).offset).toBe(42);
  });

  it('puts a message handed back on %RETRY%group after its delay level, and on %DLQ%group once its retries run out', async () => {
    // Retries wait delay level 3 + reconsumeTimes; short levels keep the test quick.
    const { b, invoke } = await start(['--set', 'messageDelayLevel=1s 1s 1s 1s']);
    await createTopic(b.brokerAddress, 'Pulled', 1);
    await invoke(RequestCode.SEND_MESSAGE_V2, send('Pulled', 'failing'));
    const [original] = decodeRecords(
      Buffer.from((await invoke(RequestCode.PULL_MESSAGE, pull({}))).body ?? []),
    );
    const back = (offset: number) =>
      invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
        extFields: encodeConsumerSendMsgBackRequestHeader({
          offset,
          group: 'cg',
          delayLevel: 0,
          unitMode: false,
          maxReconsumeTimes: 1,
        }),
      });
    const handedBackAt = Date.now();
    expect((await back(original!.commitLogOffset)).code).toBe(ResponseCode.SUCCESS);
    const retryPull = await invoke(RequestCode.PULL_MESSAGE, pull({ topic: '%RETRY%cg' }));
    expect(retryPull.code).toBe(ResponseCode.SUCCESS);
    const [retried] = decodeRecords(Buffer.from(retryPull.body ?? []));
    expect(retried?.properties.get('RETRY_TOPIC')).toBe('Pulled');
    // It went through SCHEDULE_TOPIC_XXXX, which leaves the real topic behind as RocketMQ does.
    expect(retried?.properties.get('REAL_TOPIC')).toBe('%RETRY%cg');
    expect(retried?.properties.has('DELAY')).toBe(false);
    expect(retried!.storeTimestamp - handedBackAt).toBeGreaterThanOrEqual(1000);
    expect(retried?.reconsumeTimes).toBe(1);
    expect((await back(retried!.commitLogOffset)).code).toBe(ResponseCode.SUCCESS);
    await client?.close();
    expect(await b.stop()).toBe(0);
    const [dlq] = await storedMessages(b.storeDir, '%DLQ%cg', 1);
    expect(dlq?.map((m) => [Buffer.from(m.body).toString(), m.reconsumeTimes])).toEqual([['failing', 2]]);
  });
});
