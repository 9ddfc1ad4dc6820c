import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createConsumerOffsetProcessors } from '../../../../src/broker/processor/consumer-offset.js';
import { createQueueOffsetProcessors } from '../../../../src/broker/processor/queue-offset.js';
import {
  decodeQueryConsumerOffsetResponseHeader,
  encodeQueryConsumerOffsetRequestHeader,
  encodeUpdateConsumerOffsetRequestHeader,
} from '../../../../src/protocol/headers/consumer-offset.js';
import {
  decodeGetEarliestMsgStoretimeResponseHeader,
  decodeGetMaxOffsetResponseHeader,
  encodeGetMaxOffsetRequestHeader,
  encodeSearchOffsetRequestHeader,
} from '../../../../src/protocol/headers/queue-offset.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import type { RequestProcessor } from '../../../../src/remoting/channel.js';
import { useConsumeFixture } from '../../../fixtures/broker/consume-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useConsumeFixture();

const call = (processors: ReadonlyMap<number, RequestProcessor>, request: RemotingCommand) =>
  firstValueFrom(from(processors.get(request.code)!(request, new FakeChannel()))).then((r) => r!);

describe('consumer offset processors', () => {
  const processors = () => createConsumerOffsetProcessors({ offsets: f.offsets, store: f.send.store });
  const query = (queueId: number) =>
    call(
      processors(),
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        extFields: encodeQueryConsumerOffsetRequestHeader({ consumerGroup: 'cg', topic: 'Orders', queueId }),
      }),
    );
  const update = (queueId: number, commitOffset: number) =>
    call(
      processors(),
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
        extFields: encodeUpdateConsumerOffsetRequestHeader({
          consumerGroup: 'cg',
          topic: 'Orders',
          queueId,
          commitOffset,
        }),
      }),
    );

  it('answers what was committed, 0 for a new group on a queue that still starts at 0', async () => {
    expect((await update(1, 42)).code).toBe(ResponseCode.SUCCESS);
    const committed = await query(1);
    expect(committed.code).toBe(ResponseCode.SUCCESS);
    expect(decodeQueryConsumerOffsetResponseHeader(committed.extFields).offset).toBe(42);
    expect(decodeQueryConsumerOffsetResponseHeader((await query(2)).extFields).offset).toBe(0);
  });

  it('ignores a commit of -1', async () => {
    await update(1, 5);
    await update(1, -1);
    expect(decodeQueryConsumerOffsetResponseHeader((await query(1)).extFields).offset).toBe(5);
  });

  it('refuses a request without its header fields with SYSTEM_ERROR', async () => {
    const response = await call(processors(), createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {}));
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});

describe('queue offset processors', () => {
  const ask = async (
    code: number,
    extFields = encodeGetMaxOffsetRequestHeader({ topic: 'Orders', queueId: 0 }),
  ) => call(createQueueOffsetProcessors(f.send.store), createRequest(code, { extFields }));
  const offsetOf = async (code: number) =>
    decodeGetMaxOffsetResponseHeader((await ask(code)).extFields).offset;

  it('answers the min and max offsets, an offset by time and the earliest store time', async () => {
    expect(await offsetOf(RequestCode.GET_MAX_OFFSET)).toBe(0);
    const earliestEmpty = await ask(RequestCode.GET_EARLIEST_MSG_STORETIME);
    expect(decodeGetEarliestMsgStoretimeResponseHeader(earliestEmpty.extFields).timestamp).toBe(-1);
    const before = Date.now();
    for (const tag of ['A', 'B', 'C']) await f.sendTagged(tag);
    expect(await offsetOf(RequestCode.GET_MAX_OFFSET)).toBe(3);
    expect(await offsetOf(RequestCode.GET_MIN_OFFSET)).toBe(0);
    const earliest = await ask(RequestCode.GET_EARLIEST_MSG_STORETIME);
    expect(earliest.code).toBe(ResponseCode.SUCCESS);
    const storedAt = decodeGetEarliestMsgStoretimeResponseHeader(earliest.extFields).timestamp;
    expect(storedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(storedAt).toBeLessThanOrEqual(Date.now());
    const search = (timestamp: number) =>
      ask(
        RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
        encodeSearchOffsetRequestHeader({ topic: 'Orders', queueId: 0, timestamp }),
      ).then((r) => decodeGetMaxOffsetResponseHeader(r.extFields).offset);
    expect(await search(0)).toBe(0);
    expect(await search(Date.now() + 60_000)).toBe(3);
  });
});
