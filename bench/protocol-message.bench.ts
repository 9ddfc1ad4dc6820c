import { decodeRecord, prepareRecord, readDispatchInfo, writeRecord } from '../src/protocol/message-codec.js';
import type { MessageRecordInput } from '../src/protocol/message.js';
import { encodeProperties } from '../src/protocol/properties.js';
import { type BenchReport, timeLoop } from './report.js';

/** CommitLog record encode (prepare + write into a buffer, as the put path does) and decode, 1 KiB bodies. */
const COUNT = 200_000;

const input: MessageRecordInput = {
  topic: 'BenchTopic',
  queueId: 3,
  flag: 0,
  body: Buffer.alloc(1024, 0x61),
  properties: encodeProperties({
    UNIQ_KEY: '7F000001000018B4AAC2000000000000',
    TAGS: 'TagA',
    KEYS: 'order-1',
  }),
  sysFlag: 0,
  bornTimestamp: 1_690_000_000_000,
  bornHost: { address: '127.0.0.1', port: 50000 },
  storeHost: { address: '127.0.0.1', port: 10911 },
  reconsumeTimes: 0,
  preparedTransactionOffset: 0,
  tagsCode: 0,
};

export async function run(report: BenchReport): Promise<void> {
  const size = prepareRecord(input).length;
  const target = Buffer.allocUnsafe(size * 1024);
  const encodeSeconds = timeLoop(COUNT, (i) => {
    writeRecord(target, (i % 1024) * size, prepareRecord(input), {
      physicalOffset: i * size,
      queueOffset: i,
      storeTimestamp: i,
    });
  });
  const figures = (seconds: number) => ({
    'msgs/s': COUNT / seconds,
    'MB/s': (COUNT * size) / seconds / 1e6,
    'record bytes': size,
  });
  report.add({ name: 'record prepare+write 1KiB', figures: figures(encodeSeconds) });
  let sink = 0;
  const decodeSeconds = timeLoop(COUNT, (i) => {
    sink += decodeRecord(target, (i % 1024) * size).queueOffset;
  });
  report.add({ name: 'record decode 1KiB', figures: figures(decodeSeconds) });
  const dispatchSeconds = timeLoop(COUNT, (i) => {
    sink += readDispatchInfo(target, (i % 1024) * size).tagsCode;
  });
  report.add({ name: 'record dispatch info 1KiB', figures: figures(dispatchSeconds) });
  if (sink === 0.5) report.progress('unreachable');
  await Promise.resolve();
}
