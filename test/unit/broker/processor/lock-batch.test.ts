import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RebalanceLockManager } from '../../../../src/broker/managers/rebalance-lock-manager.js';
import { createLockBatchProcessors } from '../../../../src/broker/processor/lock-batch.js';
import {
  type MessageQueue,
  encodeLockBatchRequestBody,
  encodeUnlockBatchRequestBody,
  parseLockBatchResponseBody,
} from '../../../../src/protocol/headers/lock.js';
import { type RemotingCommand, createRequest } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';

const mq = (queueId: number): MessageQueue => ({ topic: 'TopicA', brokerName: 'b1', queueId });

describe('LOCK_BATCH_MQ and UNLOCK_BATCH_MQ', () => {
  const processors = createLockBatchProcessors(new RebalanceLockManager(() => 0));
  const call = (code: number, body: Buffer): Promise<RemotingCommand | undefined> =>
    firstValueFrom(
      from(
        processors.get(code)!(createRequest(code, { body }), new FakeChannel()),
      ),
    );
  const lock = async (clientId: string, queues: MessageQueue[]) => {
    const body = encodeLockBatchRequestBody({ consumerGroup: 'G', clientId, mqSet: queues });
    const response = await call(RequestCode.LOCK_BATCH_MQ, body);
    expect(response?.code).toBe(ResponseCode.SUCCESS);
    return parseLockBatchResponseBody(response?.body).lockOKMQSet;
  };

  it('answers the queues locked for the caller, and frees them on unlock', async () => {
    expect(await lock('c1', [mq(0), mq(1)])).toEqual([mq(0), mq(1)]);
    expect(await lock('c2', [mq(1), mq(2)])).toEqual([mq(2)]);
    const body = encodeUnlockBatchRequestBody({ consumerGroup: 'G', clientId: 'c1', mqSet: [mq(1)] });
    const unlocked = await call(RequestCode.UNLOCK_BATCH_MQ, body);
    expect(unlocked?.code).toBe(ResponseCode.SUCCESS);
    expect(await lock('c2', [mq(1)])).toEqual([mq(1)]);
  });

  it('refuses a malformed body with a clear error instead of throwing', async () => {
    const response = await call(RequestCode.LOCK_BATCH_MQ, Buffer.from('{"consumerGroup":'));
    expect(response?.code).not.toBe(ResponseCode.SUCCESS);
    expect(response?.remark).toMatch(/LockBatchRequestBody/);
  });
});
