/** How the admin tool shows stored messages: mqadmin's field list for one, a table for many, JSON for scripts. */
import { decodeRecords } from '../protocol/message-codec.js';
import type { MessageExt } from '../protocol/message.js';
import { formatAddress } from '../remoting/address.js';
import { formatKeyValues, formatTable } from './table.js';

export function messagesOf(body: Uint8Array | undefined): MessageExt[] {
  if (body === undefined || body.length === 0) return [];
  return decodeRecords(Buffer.from(body.buffer, body.byteOffset, body.length));
}

const bodyText = (m: MessageExt): string => Buffer.from(m.body).toString('utf8');

export function messageJson(m: MessageExt): Record<string, unknown> {
  return {
    msgId: m.msgId,
    uniqKey: m.properties.get('UNIQ_KEY'),
    topic: m.topic,
    tags: m.properties.get('TAGS'),
    keys: m.properties.get('KEYS'),
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset,
    reconsumeTimes: m.reconsumeTimes,
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    bornHost: formatAddress(m.bornHost),
    storeHost: formatAddress(m.storeHost),
    sysFlag: m.sysFlag,
    storeSize: m.storeSize,
    properties: Object.fromEntries(m.properties),
    body: bodyText(m),
  };
}

export function formatMessage(m: MessageExt): string {
  return formatKeyValues([
    ['OffsetID', m.msgId],
    ['UniqKey', m.properties.get('UNIQ_KEY') ?? ''],
    ['Topic', m.topic],
    ['Tags', `[${m.properties.get('TAGS') ?? ''}]`],
    ['Keys', `[${m.properties.get('KEYS') ?? ''}]`],
    ['Queue ID', m.queueId],
    ['Queue Offset', m.queueOffset],
    ['CommitLog Offset', m.commitLogOffset],
    ['Reconsume Times', m.reconsumeTimes],
    ['Born Timestamp', new Date(m.bornTimestamp).toISOString()],
    ['Store Timestamp', new Date(m.storeTimestamp).toISOString()],
    ['Born Host', formatAddress(m.bornHost)],
    ['Store Host', formatAddress(m.storeHost)],
    ['System Flag', m.sysFlag],
    ['Properties', JSON.stringify(Object.fromEntries(m.properties))],
    ['Message Body', bodyText(m)],
  ]);
}

export function formatMessageTable(messages: readonly MessageExt[]): string {
  return formatTable(
    ['#Message ID', '#QID', '#Offset', '#Tags', '#Keys', '#Body'],
    messages.map((m) => [
      m.msgId,
      m.queueId,
      m.queueOffset,
      m.properties.get('TAGS') ?? '',
      m.properties.get('KEYS') ?? '',
      bodyText(m),
    ]),
  );
}
