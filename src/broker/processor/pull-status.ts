import { ResponseCode } from '../../protocol/response-code.js';
import type { GetMessageStatus } from '../store/get-message.js';

/**
 * PullMessageProcessor's switch from the store's answer to the pull's response code. An empty queue or a
 * missing one moves the consumer's offset only when it asked for something past 0, so a new consumer on an
 * empty queue simply waits.
 */
export function pullResponseCode(status: GetMessageStatus, requestedOffset: number): number {
  switch (status) {
    case 'FOUND':
      return ResponseCode.SUCCESS;
    case 'MESSAGE_WAS_REMOVING':
    case 'NO_MATCHED_MESSAGE':
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case 'NO_MATCHED_LOGIC_QUEUE':
    case 'NO_MESSAGE_IN_QUEUE':
      return requestedOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case 'OFFSET_FOUND_NULL':
    case 'OFFSET_OVERFLOW_ONE':
      return ResponseCode.PULL_NOT_FOUND;
    case 'OFFSET_OVERFLOW_BADLY':
    case 'OFFSET_TOO_SMALL':
      return ResponseCode.PULL_OFFSET_MOVED;
  }
}
