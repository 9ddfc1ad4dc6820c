/**
 * Interop: ali-ons (a pure-JS RocketMQ 4.x client from npm, written independently of this project) asks
 * our name server for routes and sends to our broker, a real `node dist/broker` child process; then the
 * broker stops and its store directory, opened with our MessageStore, must hold every message with the
 * tags, keys and body ali-ons gave it.
 *
 * What ali-ons does on the wire (lib/ of ali-ons 3.12): JSON headers only (serialize type 0), version 121,
 * language "JAVA", extFields values as JSON numbers and booleans rather than strings; GET_ROUTEINFO_BY_TOPIC
 * (105) to the name server, whose body it reads with a lenient parser (fastjson's {0:"host:port"} is
 * fine); SEND_MESSAGE_V2 (310) with one-letter header fields and properties ending in \u0002; bodies of
 * 4096 bytes or more deflated (zlib) with sysFlag COMPRESSED; HEART_BEAT (34) and UNREGISTER_CLIENT (35)
 * to the broker; AccessKey, Signature and OnsChannel extFields when given keys (our broker ignores them,
 * as Apache RocketMQ does without ACL).
 *
 * ali-ons never falls back to TBW102's route for a new topic: its getTopicRouteInfoFromNameServer throws on
 * TOPIC_NOT_EXIST (the name server's answer, ours and Java's) before tryToFindTopicPublishInfo reaches its
 * default-topic branch. The test shows that, then runs that branch itself (ali-ons' own
 * updateTopicRouteInfoFromNameServer(topic, true, producer), what the Java client does), so the sends carry
 * defaultTopic TBW102 and the broker auto-creates the topic.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_CONFIG } from '../../../src/broker/config.js';
import { MessageStore } from '../../../src/broker/store/message-store.js';
import { silentLogger } from '../../../src/logger.js';
import { decompressBody } from '../../../src/protocol/compression.js';
import { decodeRecord } from '../../../src/protocol/message-codec.js';
import { type MessageExt, SysFlag } from '../../../src/protocol/message.js';
import { decodeOffsetMsgId } from '../../../src/protocol/msg-id.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { type BrokerProcess, startBrokerProcess } from '../../../src/testing/index.js';

// ali-ons is CommonJS without type declarations: the parts of it this test uses, as it defines them.
interface OnsMessage {
  body: Buffer;
  readonly properties: Record<string, string>;
  /** Joined with spaces into the KEYS property. */
  set keys(keys: readonly string[]);
}

interface OnsSendResult {
  readonly sendStatus: string;
  /** The broker's offset msgId (store host + CommitLog offset); ali-ons sets no UNIQ_KEY of its own. */
  readonly msgId: string;
  /** queueId as the response header's extFields carried it: a string. */
  readonly messageQueue: { readonly topic: string; readonly brokerName: string; readonly queueId: string };
  readonly queueOffset: number;
}

interface OnsRouteData {
  readonly brokerDatas: readonly {
    readonly brokerName: string;
    readonly brokerAddrs: Record<string, string>;
  }[];
  readonly queueDatas: readonly {
    readonly brokerName: string;
    readonly perm: number;
    readonly readQueueNums: number;
    readonly writeQueueNums: number;
  }[];
}

/** ali-ons' MQClient (lib/mq_client.js and lib/mq_client_api.js): not public API, used for what it lacks. */
interface OnsMQClient {
  getTopicRouteInfoFromNameServer(topic: string, timeoutMillis: number): Promise<OnsRouteData | undefined>;
  updateTopicRouteInfoFromNameServer(topic: string, isDefault: boolean, producer: OnsProducer): Promise<void>;
  sendHearbeat(address: string, heartbeat: unknown, timeoutMillis: number): Promise<void>;
  _prepareHeartbeatData(): unknown;
}

type OnsError = Error & { readonly code?: number };

interface OnsProducer {
  ready(): Promise<void>;
  send(message: OnsMessage): Promise<OnsSendResult>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: OnsError) => void): unknown;
  readonly _mqClient: OnsMQClient;
}

interface AliOns {
  readonly Producer: {
    new (options: Record<string, unknown>): OnsProducer;
    /** The CLIENT_INNER_PRODUCER every producer's init() starts once per process, on a client of its own. */
    defaultProducer?: OnsProducer | undefined;
  };
  readonly Message: new (topic: string, tags: string, body: string | Buffer) => OnsMessage;
}

const require = createRequire(import.meta.url);
const ons = require('ali-ons') as AliOns;

const TOPIC = 'AliOnsInterop';
const GROUP = 'ali-ons-pg';
const COUNT = 50;
/** ali-ons' compressMsgBodyOverHowmuch: bodies this long or longer go deflated. */
const COMPRESS_FROM = 4096;

/** Never called: ali-ons requires an HTTP client for its address server, which `nameSrv` makes it skip. */
const noHttp = {
  request: () =>
    Promise.reject(new Error('ali-ons asked for an HTTP address server; nameSrv should prevent it')),
};

/** ali-ons' logger (printf-style arguments): what it logs as errors is kept, the rest dropped. */
function errorRecordingLogger(
  lines: string[],
): Record<'info' | 'debug' | 'warn' | 'error', (...args: unknown[]) => void> {
  const drop = (): void => undefined;
  const error = (...args: unknown[]): void => {
    lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  return { info: drop, debug: drop, warn: drop, error };
}

interface Outgoing {
  readonly tags: string;
  readonly keys: readonly string[];
  /** The body as handed to ali-ons (it replaces msg.body with the deflated bytes when it compresses). */
  readonly body: Buffer;
  readonly text: boolean;
}

/** Distinct bodies: text (non-ASCII too) and binary (zero bytes too), around and over the 4 KiB threshold. */
function bodyOf(i: number): { readonly body: Buffer; readonly text: boolean } {
  const binary = (body: Buffer) => ({ body, text: false });
  const text = (body: string) => ({ body: Buffer.from(body), text: true });
  // One byte short of the threshold (sent as is), then exactly the threshold (deflated).
  if (i === 10) return binary(Buffer.alloc(COMPRESS_FROM - 1, 0x61));
  if (i === 11) return binary(Buffer.alloc(COMPRESS_FROM, 0x62));
  // Over 4 KiB: incompressible bytes (ali-ons deflates them all the same), compressible text.
  if (i % 7 === 0) return binary(randomBytes(COMPRESS_FROM + 1 + i * 97));
  if (i % 5 === 0) return text(`${'large text, 大きい '.repeat(400)}#${i}`);
  if (i % 2 === 0)
    return binary(Buffer.from(Array.from({ length: 1 + i * 3 }, (_, j) => (j * 131 + i) & 0xff)));
  return text(`string body ${i}: héllo, 世界 ✓`);
}

function outgoing(i: number): Outgoing {
  return { tags: `Tag${'ABC'[i % 3]!}`, keys: [`ons-${i}`, `group-${i % 5}`], ...bodyOf(i) };
}

function message(out: Outgoing): OnsMessage {
  const msg = new ons.Message(TOPIC, out.tags, out.text ? out.body.toString('utf8') : Buffer.from(out.body));
  msg.keys = out.keys;
  return msg;
}

/** Until the name server routes `topic` (the broker registers a topic it auto-created soon after). */
async function routeOnceRegistered(
  client: OnsMQClient,
  topic: string,
  timeoutMs: number,
): Promise<OnsRouteData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const route = await client.getTopicRouteInfoFromNameServer(topic, 3000);
      if (route !== undefined) return route;
    } catch (error) {
      if ((error as OnsError).code !== ResponseCode.TOPIC_NOT_EXIST || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let broker: BrokerProcess | undefined;
let producers: OnsProducer[] = [];
afterEach(async () => {
  // Ours first, then the inner one ali-ons started: each closes its client's sockets once no producer uses it.
  for (const p of [...producers, ons.Producer.defaultProducer]) await p?.close().catch(() => undefined);
  ons.Producer.defaultProducer = undefined;
  producers = [];
  await broker?.dispose();
  broker = undefined;
});

describe('interop: ali-ons producer → our name server and broker', () => {
  it(`stores ${COUNT} messages with ali-ons' tags, keys and bodies`, { timeout: 90_000 }, async () => {
    broker = await startBrokerProcess({ startTimeoutMs: 30_000 });
    const loggedErrors: string[] = [];
    const errors: OnsError[] = [];
    const producer = new ons.Producer({
      httpclient: noHttp,
      nameSrv: broker.namesrvAddress,
      accessKey: 'dummy-access-key',
      secretKey: 'dummy-secret-key',
      producerGroup: GROUP,
      sendMsgTimeout: 5000,
      logger: errorRecordingLogger(loggedErrors),
    });
    producers.push(producer);
    producer.on('error', (error) => errors.push(error));
    await producer.ready();
    ons.Producer.defaultProducer?.on('error', (error) => errors.push(error));

    // As ali-ons is: a topic the name server does not know yet fails its first send.
    await expect(producer.send(message(outgoing(0)))).rejects.toMatchObject({
      name: 'MQClientException',
      code: ResponseCode.TOPIC_NOT_EXIST,
    });
    // Its default-topic branch: TBW102's route, capped at defaultTopicQueueNums (4), for TOPIC.
    await producer._mqClient.updateTopicRouteInfoFromNameServer(TOPIC, true, producer);

    const sent = Array.from({ length: COUNT }, (_, i) => outgoing(i));
    const results: OnsSendResult[] = [];
    for (const out of sent) results.push(await producer.send(message(out)));

    for (const result of results) {
      expect(result.sendStatus).toBe('SEND_OK');
      expect(result.msgId).toMatch(/^[0-9A-F]{32}$/);
      expect(result.messageQueue).toMatchObject({ topic: TOPIC, brokerName: 'broker-a' });
      expect(Number(result.messageQueue.queueId)).toBeLessThan(4);
    }
    expect(new Set(results.map((r) => r.msgId)).size).toBe(COUNT);

    // The auto-created topic reaches the name server, and ali-ons reads our route for it.
    const route = await routeOnceRegistered(producer._mqClient, TOPIC, 15_000);
    expect(route.brokerDatas).toEqual([
      { brokerName: 'broker-a', brokerAddrs: { '0': broker.brokerAddress }, cluster: 'DefaultCluster' },
    ]);
    expect(route.queueDatas).toMatchObject([
      { brokerName: 'broker-a', perm: 6, readQueueNums: 4, writeQueueNums: 4 },
    ]);
    // A producer's heartbeat as ali-ons sends it (its periodic task swallows failures; this one would throw).
    await producer._mqClient.sendHearbeat(
      broker.brokerAddress,
      producer._mqClient._prepareHeartbeatData(),
      3000,
    );

    // close() sends UNREGISTER_CLIENT and rejects on anything but SUCCESS.
    producers = [];
    await producer.close();
    const inner = ons.Producer.defaultProducer;
    ons.Producer.defaultProducer = undefined;
    await inner?.close();
    // No error events: at most TOPIC_NOT_EXIST, should its 30 s route poll run before the topic registered.
    expect(errors.filter((e) => e.code !== ResponseCode.TOPIC_NOT_EXIST).map((e) => e.message)).toEqual([]);
    expect(loggedErrors).toEqual([]);

    expect(await broker.stop()).toBe(0);

    // The launcher passes no segment sizes, so the broker ran with the defaults this config has too.
    const store = await MessageStore.open(
      { ...DEFAULT_BROKER_CONFIG, storePathRootDir: broker.storeDir },
      { logger: silentLogger },
    );
    try {
      // Every ConsumeQueue entry of the topic: exactly the 50 sends, no retry duplicates, no refused probe.
      const queued: MessageExt[] = [];
      for (let queueId = 0; queueId < 4; queueId++) {
        const max = store.maxOffsetInQueue(TOPIC, queueId);
        const got = await store.getMessage(TOPIC, queueId, {
          offset: 0,
          maxCount: COUNT,
          maxBytes: 16 << 20,
        });
        expect(got.messages).toHaveLength(max);
        queued.push(...got.messages.map((record) => decodeRecord(record)));
      }
      expect(queued.map((m) => m.msgId).sort()).toEqual(results.map((r) => r.msgId).sort());

      for (const [i, result] of results.entries()) {
        const out = sent[i]!;
        const record = await store.readRecord(decodeOffsetMsgId(result.msgId).physicalOffset);
        expect(record, `message ${i}`).toBeDefined();
        const stored = decodeRecord(record!);
        expect(stored.msgId).toBe(result.msgId);
        expect(stored.topic).toBe(TOPIC);
        expect(stored.queueId).toBe(Number(result.messageQueue.queueId));
        expect(stored.queueOffset).toBe(result.queueOffset);
        expect(stored.properties.get('TAGS'), `message ${i}`).toBe(out.tags);
        expect(stored.properties.get('KEYS'), `message ${i}`).toBe(out.keys.join(' '));
        expect((stored.sysFlag & SysFlag.COMPRESSED) !== 0, `message ${i} compressed`).toBe(
          out.body.length >= COMPRESS_FROM,
        );
        expect(
          Buffer.from(decompressBody(stored.body, stored.sysFlag)).equals(out.body),
          `message ${i} body`,
        ).toBe(true);
      }

      // The index: each message by its own key, and the ten sharing a key all together.
      const end = Date.now() + 60_000;
      for (const [i, out] of sent.entries()) {
        const hits = await store.queryMessage(TOPIC, out.keys[0]!, 32, 0, end);
        expect(
          hits.records.map((r) => decodeRecord(r).msgId),
          `key ${out.keys[0]!}`,
        ).toEqual([results[i]!.msgId]);
      }
      const shared = await store.queryMessage(TOPIC, 'group-3', 32, 0, end);
      const expected = results.filter((_, i) => i % 5 === 3).map((r) => r.msgId);
      expect(shared.records.map((r) => decodeRecord(r).msgId).sort()).toEqual(expected.sort());
    } finally {
      await store.shutdown();
    }
  });
});
