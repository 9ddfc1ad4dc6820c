import type { RecordInfo } from '../../protocol/message-codec.js';
import { SysFlag } from '../../protocol/message.js';

/**
 * The index keys of a record: `topic#UNIQ_KEY` and `topic#key` for each space-separated KEYS word; none
 * for a rolled-back transaction's record, which nobody may look up.
 */
export function indexKeysOf(info: RecordInfo): string[] {
  const keys: string[] = [];
  if ((info.sysFlag & SysFlag.TRANSACTION_MASK) === SysFlag.TRANSACTION_ROLLBACK_TYPE) return keys;
  if (info.uniqKey !== undefined && info.uniqKey !== '') keys.push(`${info.topic}#${info.uniqKey}`);
  if (info.keys !== undefined) {
    for (const key of info.keys.split(' ')) if (key !== '') keys.push(`${info.topic}#${key}`);
  }
  return keys;
}
