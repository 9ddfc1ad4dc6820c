import { javaStringHashCode } from './java-hash.js';
import { readLong } from './long-field.js';
import { MessageProperty, propertyValue } from './properties.js';
import { spans } from './record-spans.js';

/** What reput needs to build a ConsumeQueue entry, read in place. */
export interface DispatchInfo {
  readonly size: number;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
  readonly bornTimestamp: number;
  readonly sysFlag: number;
  readonly preparedTransactionOffset: number;
  readonly tagsCode: number;
  /** The encoded properties string; decodeProperties() it when more than the fields above are needed. */
  readonly propertiesText: string;
}

/** A record's dispatch fields and the keys it is indexed by. */
export interface RecordInfo extends DispatchInfo {
  readonly keys: string | undefined;
  readonly uniqKey: string | undefined;
}

/** `end` bounds the record when the buffer holds more after it (a reput chunk). */
export function readDispatchInfo(buf: Buffer, offset: number, end = buf.length): RecordInfo {
  const s = spans(buf, offset, end);
  const propertiesText = buf.toString('utf8', s.propsAt, s.propsAt + s.propsLength);
  const tags = propertyValue(propertiesText, MessageProperty.TAGS);
  return {
    size: s.size,
    topic: buf.toString('utf8', s.topicAt, s.topicAt + s.topicLength),
    queueId: buf.readInt32BE(offset + 12),
    queueOffset: readLong(buf, offset + 20),
    physicalOffset: readLong(buf, offset + 28),
    storeTimestamp: readLong(buf, s.storeTimestampAt),
    bornTimestamp: readLong(buf, offset + 40),
    sysFlag: s.sysFlag,
    preparedTransactionOffset: readLong(buf, s.reconsumeAt + 4),
    tagsCode: tags === undefined ? 0 : javaStringHashCode(tags),
    keys: propertyValue(propertiesText, MessageProperty.KEYS),
    uniqKey: propertyValue(propertiesText, MessageProperty.UNIQ_KEY),
    propertiesText,
  };
}
