import { type Observable, Subject, firstValueFrom, NEVER, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { RegisterService, type RegisterServiceDeps } from '../../../src/broker/register-service.js';
import { RemotingConnectionError } from '../../../src/errors.js';
import {
  decodeRegisterBrokerRequestHeader,
  decodeUnRegisterBrokerRequestHeader,
} from '../../../src/protocol/headers/namesrv.js';
import { decodeRegisterBrokerBody } from '../../../src/protocol/headers/register-broker-body.js';
import type { TopicConfig } from '../../../src/protocol/headers/topic-admin.js';
import {
  type RemotingCommand,
  createRequest,
  createResponse,
} from '../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

const ORDERS: TopicConfig = {
  topicName: 'Orders',
  readQueueNums: 4,
  writeQueueNums: 4,
  perm: 6,
  topicFilterType: 'SINGLE_TAG',
  topicSysFlag: 0,
  order: false,
};

const identity = { brokerName: 'b1', brokerAddr: '10.0.0.1:10911', clusterName: 'C', brokerId: 0 };

type Answer = (request: RemotingCommand, address: string) => Observable<RemotingCommand>;

function deps(
  answer: Answer,
  changed$: Observable<void>,
  over: Partial<RegisterServiceDeps> = {},
): RegisterServiceDeps & { calls: { address: string; request: RemotingCommand }[] } {
  const calls: { address: string; request: RemotingCommand }[] = [];
  return {
    calls,
    remoting: {
      invoke$: (address, request) => {
        calls.push({ address, request });
        return answer(request, address);
      },
    },
    namesrvAddresses: ['ns1:9876', 'ns2:9876'],
    identity,
    haServerAddr: '10.0.0.1:10912',
    topics: { all: () => new Map([['Orders', ORDERS]]), dataVersion: { timestamp: 5, counter: 3 }, changed$ },
    brokerPermission: 6,
    compressed: false,
    periodMs: 10,
    timeoutMs: 3,
    logger: recordingLogger(),
    ...over,
  };
}

describe('RegisterService', () => {
  it('registers with every name server at start, every period and on each topic change', () => {
    newScheduler().run(({ cold, hot, expectObservable }) => {
      const d = deps(
        (request) => cold('-(r|)', { r: createResponse(request, ResponseCode.SUCCESS) }),
        hot('15ms x'),
      );
      const service = new RegisterService(d);
      const both = [
        { address: 'ns1:9876', ok: true },
        { address: 'ns2:9876', ok: true },
      ];
      expectObservable(service.loop$, '^ 24ms !').toBe('-a 9ms a 4ms a 4ms a', { a: both });
    });
  });

  it('logs a dead name server once per outage, keeps registering with the others, and retries it', () => {
    const logger = recordingLogger();
    newScheduler().run(({ cold, expectObservable }) => {
      let ns2Calls = 0;
      const d = deps(
        (request, address) =>
          address === 'ns2:9876' && ++ns2Calls <= 2
            ? cold('-#', undefined, new RemotingConnectionError(address, 'connect failed: ECONNREFUSED'))
            : cold('-(r|)', { r: createResponse(request, ResponseCode.SUCCESS) }),
        NEVER,
        { logger },
      );
      const ok = { address: 'ns1:9876', ok: true };
      expectObservable(new RegisterService(d).loop$, '^ 24ms !').toBe('-a 9ms a 9ms b', {
        a: [ok, { address: 'ns2:9876', ok: false }],
        b: [ok, { address: 'ns2:9876', ok: true }],
      });
    });
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logger.lines.filter((l) => l.message === 'name server reachable again')).toHaveLength(1);
  });

  it('treats a refusal as a failed registration', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const d = deps(
        (request) =>
          cold('-(r|)', {
            r: createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: 'crc32 not match' }),
          }),
        NEVER,
        { namesrvAddresses: ['ns1:9876'] },
      );
      expectObservable(new RegisterService(d).loop$, '^ 4ms !').toBe('-a', {
        a: [{ address: 'ns1:9876', ok: false }],
      });
    });
  });

  it('sends the identity, HA address and topic table with a CRC, lending a read-only broker its permission', () => {
    const d = deps((request) => of(createResponse(request, ResponseCode.SUCCESS)), NEVER, {
      namesrvAddresses: ['ns1:9876'],
      brokerPermission: 4,
      compressed: true,
    });
    newScheduler().run(({ expectObservable }) => {
      expectObservable(new RegisterService(d).loop$, '^ 4ms !').toBe('a', {
        a: [{ address: 'ns1:9876', ok: true }],
      });
    });
    const [call] = d.calls;
    expect(call?.request.code).toBe(RequestCode.REGISTER_BROKER);
    const header = decodeRegisterBrokerRequestHeader(call?.request.extFields);
    expect(header).toMatchObject({ ...identity, haServerAddr: '10.0.0.1:10912', compressed: true });
    expect(header.bodyCrc32).not.toBe(0);
    const body = decodeRegisterBrokerBody(call!.request.body!, true);
    expect(body.topicConfigSerializeWrapper.dataVersion).toEqual({ timestamp: 5, counter: 3 });
    expect(body.topicConfigSerializeWrapper.topicConfigTable.Orders).toMatchObject({
      writeQueueNums: 4,
      perm: 4,
    });
  });

  it('stops registering when unsubscribed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const response = cold('---r|', { r: createResponse(createRequest(0), ResponseCode.SUCCESS) });
      const d = deps(() => response, NEVER, { namesrvAddresses: ['ns1:9876'] });
      expectObservable(new RegisterService(d).loop$, '^-!').toBe('');
      expectSubscriptions(response.subscriptions).toBe('^-!');
    });
  });
});

describe('RegisterService outside virtual time', () => {
  it('registered() waits for the round that carries the latest topic change', async () => {
    const changed = new Subject<void>();
    const replies: Subject<RemotingCommand>[] = [];
    const d = deps(
      () => {
        const reply = new Subject<RemotingCommand>();
        replies.push(reply);
        return reply;
      },
      changed,
      { namesrvAddresses: ['ns1:9876'], periodMs: 60_000 },
    );
    const service = new RegisterService(d);
    const loop = service.loop$.subscribe();
    const answer = (i: number) => {
      const reply = replies[i]!;
      reply.next(createResponse(d.calls[i]!.request, ResponseCode.SUCCESS));
      reply.complete();
    };
    let done = false;
    const first = service.registered().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    answer(0);
    await first;

    changed.next();
    const second = service.registered();
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(secondDone).toBe(false);
    answer(1);
    await second;
    loop.unsubscribe();
    await service.registered();
  });

  it('unregisters from every name server, completing even when one of them is gone', async () => {
    const d = deps(
      (request, address) =>
        address === 'ns2:9876'
          ? throwError(() => new RemotingConnectionError(address, 'gone'))
          : of(createResponse(request, ResponseCode.SUCCESS)),
      NEVER,
    );
    await firstValueFrom(new RegisterService(d).unregisterAll$(), { defaultValue: undefined });
    expect(d.calls.map((c) => c.request.code)).toEqual([
      RequestCode.UNREGISTER_BROKER,
      RequestCode.UNREGISTER_BROKER,
    ]);
    expect(decodeUnRegisterBrokerRequestHeader(d.calls[0]?.request.extFields)).toEqual(identity);
  });
});
