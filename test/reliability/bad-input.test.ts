/**
 * Bad input on every request code (issue #11): each code the broker process answers, found by asking it
 * about every code rather than from a list, gets requests with no header, with every numeric field wrong
 * in one way (not a number, empty, fractional, beyond a long, negative, the most negative long, 1e9) and
 * with bodies nobody accepts, plus codes nobody registered. Each must be answered with a RocketMQ response
 * code, never SUCCESS for a header it cannot read, each refusal with one log line, and the broker must stay
 * up and keep serving good requests.
 */
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusal } from '../../src/broker/processor/refusal-log.js';
import { silentLogger } from '../../src/logger.js';
import { encodePullMessageRequestHeader } from '../../src/protocol/headers/pull.js';
import { encodeSendMessageRequestHeaderV2 } from '../../src/protocol/headers/send.js';
import { decodeRecords } from '../../src/protocol/message-codec.js';
import { type ExtFields, type RemotingCommand, createRequest } from '../../src/protocol/remoting-command.js';
import { RequestCode, requestCodeName } from '../../src/protocol/request-code.js';
import { ResponseCode, responseCodeName } from '../../src/protocol/response-code.js';
import { type RemotingClient, createRemotingClient } from '../../src/remoting/client.js';
import { type BrokerProcess, startBrokerProcess } from '../../src/testing/broker-process.js';
import { createTopic, drainPullHeader } from '../fixtures/broker/broker-fixture.js';
import { BAD_BODIES, NUMBER_VARIANTS, headerWith } from '../fixtures/fuzz/bad-headers.js';
import { isAlive } from '../fixtures/fuzz/process-rss.js';

const TOPIC = 'BadInputTopic';
const GROUP = 'bad-input-group';
/** Codes asked about: every RocketMQ 4.x code is below 1024; the table's own codes are added in case. */
const PROBED_CODES = [
  ...new Set([...Array.from({ length: 1024 }, (_, code) => code), ...Object.values(RequestCode)]),
];
const UNKNOWN_CODES = [-1, 1024, 9999, 32767, -32768];
/** Longer than any pull may park (the broker's 15 s cap on suspendTimeoutMillis, 20 s by default). */
const CALL_TIMEOUT_MS = Number(process.env.BAD_INPUT_TIMEOUT ?? 25_000);
const KNOWN_RESPONSE_CODES = new Set<number>(Object.values(ResponseCode));

/**
 * Codes whose Java request has no custom header (a null header class): an empty header is a complete
 * request for them, so SUCCESS is their right answer to one.
 */
const HEADERLESS = new Set<number>([
  RequestCode.GET_ALL_TOPIC_CONFIG,
  RequestCode.GET_BROKER_CONFIG,
  RequestCode.GET_BROKER_RUNTIME_INFO,
  RequestCode.GET_ALL_CONSUMER_OFFSET,
  RequestCode.GET_ALL_DELAY_OFFSET,
  RequestCode.CHECK_CLIENT_CONFIG,
  RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
]);

/**
 * Codes whose Java header holds only strings (and booleans, which parse from anything): they read no
 * number, so wrong numbers beside valid names leave them a valid request. UnregisterClientRequestHeader,
 * GetTopicStatsInfoRequestHeader, DeleteSubscriptionGroupRequestHeader, GetConsumeStatsRequestHeader,
 * DeleteTopicRequestHeader.
 */
const READS_NO_NUMBER = new Set<number>([
  ...HEADERLESS,
  RequestCode.UNREGISTER_CLIENT,
  RequestCode.GET_TOPIC_STATS_INFO,
  RequestCode.DELETE_SUBSCRIPTIONGROUP,
  RequestCode.GET_CONSUME_STATS,
  RequestCode.DELETE_TOPIC_IN_BROKER,
]);

interface LogLine {
  readonly msg?: string;
  readonly code?: number;
  readonly peer?: string;
}

interface Asked {
  readonly what: string;
  readonly code: number;
  readonly response: RemotingCommand;
}

let broker: BrokerProcess;
let client: RemotingClient;
const logLines: LogLine[] = [];
/** What the broker calls our end of the connection, as its log lines name the peer. */
let peer = '';
let registered: number[] = [];
/** The codes that refused a request whose numbers were all 'abc' (the mistyped case). */
const refusedMistyped = new Set<number>();

const ask = (
  code: number,
  init: { extFields?: ExtFields; body?: Uint8Array } = {},
): Promise<RemotingCommand> =>
  firstValueFrom(client.invoke$(broker.brokerAddress, createRequest(code, init), CALL_TIMEOUT_MS));

const describeAnswer = ({ what, code, response }: Asked): string =>
  `${requestCodeName(code)} with ${what}: ${responseCodeName(response.code)} ${response.remark ?? ''}`;

/** Log lines about our requests with this code, once the broker has written as many as `expected` (or 5 s passed). */
async function linesFor(code: number, expected: number): Promise<number> {
  const count = (): number => logLines.filter((line) => line.code === code && line.peer === peer).length;
  for (let waited = 0; count() < expected && waited < 5_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return count();
}

/**
 * Asks `code` each of `requests`, then checks that every one was answered, with a RocketMQ code, and that
 * each refusal was logged once.
 */
async function askAll(
  code: number,
  requests: readonly { what: string; extFields?: ExtFields; body?: Uint8Array }[],
): Promise<Asked[]> {
  const before = logLines.filter((line) => line.code === code && line.peer === peer).length;
  const asked: Asked[] = [];
  const unanswered: string[] = [];
  for (const { what, ...init } of requests) {
    const response = await ask(code, init).catch(() => undefined);
    if (response === undefined) unanswered.push(`${requestCodeName(code)} with ${what}`);
    else asked.push({ what, code, response });
  }
  expect(unanswered).toEqual([]);
  for (const answer of asked) {
    expect(KNOWN_RESPONSE_CODES.has(answer.response.code), describeAnswer(answer)).toBe(true);
  }
  const refused = asked.filter((answer) => isRefusal(answer.response.code)).length;
  expect(await linesFor(code, before + refused), `log lines for ${requestCodeName(code)}`).toBe(
    before + refused,
  );
  return asked;
}

/** A good send and a read of it: the broker still does its job. */
async function sendAndReadBack(text: string): Promise<void> {
  const sent = await ask(RequestCode.SEND_MESSAGE_V2, {
    extFields: encodeSendMessageRequestHeaderV2({
      producerGroup: GROUP,
      topic: TOPIC,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: '',
    }),
    body: Buffer.from(text),
  });
  expect(responseCodeName(sent.code)).toBe('SUCCESS');
  const queueOffset = Number(sent.extFields?.queueOffset);
  let read: string | undefined;
  for (let attempt = 0; attempt < 100 && read === undefined; attempt++) {
    const pulled = await ask(RequestCode.PULL_MESSAGE, {
      extFields: encodePullMessageRequestHeader({
        ...drainPullHeader(GROUP, TOPIC, 0, queueOffset),
        maxMsgNums: 1,
      }),
    });
    if (pulled.code === ResponseCode.SUCCESS && pulled.body !== undefined)
      read = Buffer.from(decodeRecords(Buffer.from(pulled.body))[0]!.body).toString();
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(read).toBe(text);
}

beforeAll(async () => {
  broker = await startBrokerProcess();
  broker.stderr$.subscribe((line) => {
    try {
      logLines.push(JSON.parse(line) as LogLine);
    } catch {
      logLines.push({ msg: line });
    }
  });
  client = createRemotingClient({ logger: silentLogger });
  await createTopic(broker.brokerAddress, TOPIC, 4);
  await sendAndReadBack('before');
  // Our address as the broker sees it: the one unknown code it logs, from us.
  await ask(UNKNOWN_CODES[0]!);
  for (let waited = 0; peer === '' && waited < 5_000; waited += 20) {
    peer = logLines.find((line) => line.code === UNKNOWN_CODES[0])?.peer ?? '';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(peer).not.toBe('');
});

afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

describe('bad input on every request code', () => {
  it('finds the registered codes by asking; each answers a request with no header, never SUCCESS where it needs one', async () => {
    const answers = new Map<number, RemotingCommand>();
    for (const code of PROBED_CODES) answers.set(code, await ask(code));
    registered = PROBED_CODES.filter(
      (code) => answers.get(code)!.code !== ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
    );
    // The probe finds the table: what every client needs is in it.
    for (const code of [RequestCode.SEND_MESSAGE_V2, RequestCode.PULL_MESSAGE, RequestCode.HEART_BEAT]) {
      expect(registered).toContain(code);
    }
    const wrong: string[] = [];
    for (const code of registered) {
      const [answer] = await askAll(code, [{ what: 'no header' }]);
      if (answer!.response.code === ResponseCode.SUCCESS && !HEADERLESS.has(code))
        wrong.push(describeAnswer(answer!));
    }
    expect(wrong).toEqual([]);
    // The exceptions name registered codes only: a stale one would hide nothing but mislead.
    expect([...READS_NO_NUMBER].filter((code) => !registered.includes(code))).toEqual([]);
  });

  it('refuses unknown codes with REQUEST_CODE_NOT_SUPPORTED and a log line each', async () => {
    for (const code of UNKNOWN_CODES) {
      const [answer] = await askAll(code, [
        { what: 'a header', extFields: headerWith('1', { topic: TOPIC, group: GROUP }) },
      ]);
      expect(responseCodeName(answer!.response.code)).toBe('REQUEST_CODE_NOT_SUPPORTED');
    }
  });

  it('answers mistyped, negative and huge numbers on every code with a RocketMQ code, never SUCCESS for unreadable ones', async () => {
    expect(registered.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const code of registered) {
      // A delete among them must not take the next requests' topic and group away.
      await createTopic(broker.brokerAddress, TOPIC, 4);
      const asked = await askAll(
        code,
        NUMBER_VARIANTS.map((variant) => ({
          what: variant.name,
          extFields: headerWith(variant.value, { topic: TOPIC, group: GROUP }),
        })),
      );
      asked.forEach((answer, index) => {
        if (index === 0 && isRefusal(answer.response.code)) refusedMistyped.add(code);
        const unreadable = NUMBER_VARIANTS[index]!.unparsable;
        if (unreadable && answer.response.code === ResponseCode.SUCCESS && !READS_NO_NUMBER.has(code))
          wrong.push(describeAnswer(answer));
      });
    }
    expect(wrong).toEqual([]);
  });

  it('answers bodies nobody accepts, batches of absurd sizes and counts included, with a RocketMQ code', async () => {
    const wrong: string[] = [];
    for (const code of registered) {
      await createTopic(broker.brokerAddress, TOPIC, 4);
      const asked = await askAll(
        code,
        BAD_BODIES.map(({ name, body }) => ({
          what: name,
          extFields: headerWith('1', { topic: TOPIC, group: GROUP }),
          body,
        })),
      );
      if (code !== RequestCode.SEND_BATCH_MESSAGE) continue;
      for (const answer of asked)
        if (answer.response.code === ResponseCode.SUCCESS) wrong.push(describeAnswer(answer));
    }
    expect(wrong).toEqual([]);
  });

  it('refuses the readable values that would still hurt: a billion queues, a negative queue, no transaction type', async () => {
    const numbers = (value: string): ExtFields => headerWith(value, { topic: TOPIC, group: GROUP });
    const answers = [
      ...(await askAll(RequestCode.UPDATE_AND_CREATE_TOPIC, [
        { what: '1e9 queues', extFields: numbers('1000000000') },
      ])),
      ...(await askAll(RequestCode.UPDATE_CONSUMER_OFFSET, [
        { what: 'queueId -1', extFields: numbers('-1') },
      ])),
      ...(await askAll(RequestCode.QUERY_CONSUMER_OFFSET, [
        { what: 'queueId -1', extFields: numbers('-1') },
      ])),
      ...(await askAll(RequestCode.END_TRANSACTION, [
        { what: 'commitOrRollback -1', extFields: numbers('-1') },
      ])),
    ];
    expect(
      answers.filter((answer) => answer.response.code === ResponseCode.SUCCESS).map(describeAnswer),
    ).toEqual([]);
  });

  it('logs the same refusals once each when they come oneway, which get no answer', async () => {
    expect(refusedMistyped.size).toBeGreaterThan(0);
    const linesOf = (code: number): number =>
      logLines.filter((line) => line.code === code && line.peer === peer).length;
    const before = new Map(registered.map((code) => [code, linesOf(code)]));
    for (const code of registered) {
      const request = createRequest(code, {
        extFields: headerWith(NUMBER_VARIANTS[0]!.value, { topic: TOPIC, group: GROUP }),
        oneway: true,
      });
      await firstValueFrom(client.oneway$(broker.brokerAddress, request));
    }
    const counted: string[] = [];
    for (const code of registered) {
      const expected = before.get(code)! + (refusedMistyped.has(code) ? 1 : 0);
      const got = await linesFor(code, expected);
      if (got !== expected) counted.push(`${requestCodeName(code)}: ${got - before.get(code)!} lines`);
    }
    expect(counted).toEqual([]);
  });

  it('is still up afterwards and serves a good send and pull', async () => {
    expect(isAlive(broker.pid ?? 0)).toBe(true);
    await createTopic(broker.brokerAddress, TOPIC, 4);
    await sendAndReadBack('after');
  });
});
