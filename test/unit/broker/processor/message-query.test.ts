import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMessageQueryProcessors } from '../../../../src/broker/processor/message-query.js';
import {
  decodeQueryMessageResponseHeader,
  encodeQueryMessageRequestHeader,
  encodeViewMessageRequestHeader,
} from '../../../../src/protocol/headers/query.js';
import { decodeRecords } from '../../../../src/protocol/message-codec.js';
import { encodeProperties } from '../../../../src/protocol/properties.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { useSendFixture, header, nextKey, v2 } from '../../../fixtures/broker/send-fixture.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const f = useSendFixture();

const call = async (request: RemotingCommand): Promise<RemotingCommand> =>
  (await firstValueFrom(
    from(createMessageQueryProcessors(f.store).get(request.code)!(request, new FakeChannel())),
  ))!;

const query = (key: string, uniqueKeyQuery = false) =>
  call(
    createRequest(RequestCode.QUERY_MESSAGE, {
      extFields: encodeQueryMessageRequestHeader({
        topic: 'Orders',
        key,
        maxNum: 32,
        beginTimestamp: 0,
        endTimestamp: Number.MAX_SAFE_INTEGER,
        uniqueKeyQuery,
      }),
    }),
  );

/** Stores a message with these keys and waits until the index (and so QUERY_MESSAGE) can find it. */
async function sendKeyed(keys: string, body: string): Promise<{ offset: number; uniqKey: string }> {
  const uniqKey = nextKey();
  const response = await f.processor()(
    v2(header({ properties: encodeProperties({ KEYS: keys, UNIQ_KEY: uniqKey }) }), Buffer.from(body)),
  );
  const stored = await f.stored(response);
  for (let i = 0; i < 500 && (await query(uniqKey, true)).code !== ResponseCode.SUCCESS; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { offset: stored.commitLogOffset, uniqKey };
}

describe('QUERY_MESSAGE and VIEW_MESSAGE_BY_ID', () => {
  it('finds messages by key and by client id, records back to back; an unknown key is QUERY_NOT_FOUND', async () => {
    await sendKeyed('k1 shared', 'one');
    const second = await sendKeyed('k2 shared', 'two');
    const shared = await query('shared');
    expect(shared.code).toBe(ResponseCode.SUCCESS);
    expect(
      decodeRecords(Buffer.from(shared.body!))
        .map((m) => Buffer.from(m.body).toString())
        .sort(),
    ).toEqual(['one', 'two']);
    expect(decodeQueryMessageResponseHeader(shared.extFields).indexLastUpdatePhyoffset).toBeGreaterThan(0);
    const byId = await query(second.uniqKey, true);
    expect(decodeRecords(Buffer.from(byId.body!)).map((m) => Buffer.from(m.body).toString())).toEqual([
      'two',
    ]);
    const none = await query('nobody');
    expect(none).toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND, body: undefined });
    expect(none.extFields).toHaveProperty('indexLastUpdateTimestamp');
  });

  it('views the record at a CommitLog offset and refuses an offset that is not a record start', async () => {
    const { offset } = await sendKeyed('k', 'viewed');
    const view = (at: number) =>
      call(
        createRequest(RequestCode.VIEW_MESSAGE_BY_ID, {
          extFields: encodeViewMessageRequestHeader({ offset: at }),
        }),
      );
    const found = await view(offset);
    expect(found.code).toBe(ResponseCode.SUCCESS);
    expect(Buffer.from(decodeRecords(Buffer.from(found.body!))[0]!.body).toString()).toBe('viewed');
    for (const bad of [offset + 1, 1 << 30]) {
      expect(await view(bad)).toMatchObject({
        code: ResponseCode.SYSTEM_ERROR,
        remark: `can not find message by the offset, ${bad}`,
      });
    }
  });
});
