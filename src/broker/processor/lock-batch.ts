/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): the broker lock orderly consumers in clustering mode take on
 * their queues after each rebalance and renew every 20 s.
 */
import {
  encodeLockBatchResponseBody,
  parseLockBatchRequestBody,
  parseUnlockBatchRequestBody,
} from '../../protocol/headers/lock.js';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { RebalanceLockManager } from '../managers/rebalance-lock-manager.js';
import { guarded } from './guarded.js';

export function createLockBatchProcessors(
  locks: RebalanceLockManager,
): ReadonlyMap<number, RequestProcessor> {
  const lock = guarded((request) => {
    const body = parseLockBatchRequestBody(request.body);
    const lockOKMQSet = locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(request, ResponseCode.SUCCESS, {
      body: encodeLockBatchResponseBody({ lockOKMQSet }),
    });
  });
  const unlock = guarded((request) => {
    const body = parseUnlockBatchRequestBody(request.body);
    locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(request, ResponseCode.SUCCESS);
  });
  return new Map([
    [RequestCode.LOCK_BATCH_MQ, lock],
    [RequestCode.UNLOCK_BATCH_MQ, unlock],
  ]);
}
