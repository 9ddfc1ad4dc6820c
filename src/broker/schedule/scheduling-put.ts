import type { MessageRecordInput } from '../../protocol/message.js';
import type { PutOptions, PutResult } from '../store/message-store.js';
import { type ScheduleRewriteOptions, scheduledInput } from './schedule-rewrite.js';

export type Put = (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;

/**
 * The put the request processors use: delayed and timed messages are redirected to the schedule and timer
 * topics on the way into the store, as RocketMQ's CommitLog does it, whichever processor stores them
 * (send, consumer send-back, transaction commit). A bad delivery time rejects with MESSAGE_ILLEGAL.
 */
export function schedulingPut(
  put: Put,
  options: Omit<ScheduleRewriteOptions, 'now'> & { readonly now: () => number },
): Put {
  return async (inputs, putOptions) => {
    const rewrite = {
      levelCount: options.levelCount,
      timerMaxDelayMs: options.timerMaxDelayMs,
      now: options.now(),
    };
    return put(
      inputs.map((input) => scheduledInput(input, rewrite)),
      putOptions,
    );
  };
}
