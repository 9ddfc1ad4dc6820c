import { type PreparedRecord, prepareRecord } from '../../protocol/message-codec.js';
import type { MessageRecordInput } from '../../protocol/message.js';
import { MessageIllegalError } from '../../protocol/message-illegal-error.js';

/** A put's records in stored form; an empty batch, or a record above `maxMessageSize`, is illegal. */
export function prepareBatch(
  inputs: readonly MessageRecordInput[],
  maxMessageSize: number,
): PreparedRecord[] {
  if (inputs.length === 0) throw new MessageIllegalError('no message to store');
  return inputs.map((input) => {
    const record = prepareRecord(input);
    if (record.length > maxMessageSize) {
      throw new MessageIllegalError(
        `message of ${record.length} bytes exceeds maxMessageSize ${maxMessageSize}`,
      );
    }
    return record;
  });
}
