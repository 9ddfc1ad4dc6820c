import { encodeFrame } from '../src/protocol/frame.js';
import { FrameDecoder } from '../src/protocol/frame-decoder.js';
import { encodeSendMessageRequestHeaderV2 } from '../src/protocol/headers/send.js';
import { RequestCode } from '../src/protocol/request-code.js';
import { type RemotingCommand, type SerializeType, createRequest } from '../src/protocol/remoting-command.js';
import { type BenchReport, timeLoop } from './report.js';

/** Frames per second and MB/s for encodeFrame and FrameDecoder.push on SEND_MESSAGE_V2-like 1 KiB requests. */
const COUNT = 200_000;
/** Frames per socket-sized chunk the decoder is fed (about 64 KiB). */
const FRAMES_PER_CHUNK = 50;

function sendRequest(serializeType: SerializeType, opaque: number): RemotingCommand {
  const request = createRequest(RequestCode.SEND_MESSAGE_V2, {
    serializeType,
    body: Buffer.alloc(1024, 0x61),
    extFields: encodeSendMessageRequestHeaderV2({
      producerGroup: 'bench-producer-group',
      topic: 'BenchTopic',
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: 4,
      queueId: 3,
      sysFlag: 0,
      bornTimestamp: 1_690_000_000_000,
      flag: 0,
      properties:
        'UNIQ_KEY\u00017F000001000018B4AAC2000000000000\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002',
      reconsumeTimes: 0,
      batch: false,
    }),
  });
  return { ...request, opaque };
}

export async function run(report: BenchReport): Promise<void> {
  for (const [name, type] of [
    ['json', 0],
    ['rocketmq', 1],
  ] as const) {
    const command = sendRequest(type, 1);
    const frameBytes = encodeFrame(command).length;
    let sink = 0;
    const encodeSeconds = timeLoop(COUNT, (i) => {
      sink += encodeFrame({ ...command, opaque: i }).length;
    });
    report.add({
      name: `encodeFrame ${name} 1KiB`,
      figures: {
        'frames/s': COUNT / encodeSeconds,
        'MB/s': (COUNT * frameBytes) / encodeSeconds / 1e6,
        'frame bytes': frameBytes,
      },
    });

    const chunk = Buffer.concat(
      Array.from({ length: FRAMES_PER_CHUNK }, (_, i) => encodeFrame({ ...command, opaque: i })),
    );
    // Cut off-frame so that one frame in each chunk straddles a boundary, as on a real socket.
    const cut = Math.floor(chunk.length / 2) + 7;
    const pieces = [chunk.subarray(0, cut), chunk.subarray(cut)];
    const decoder = new FrameDecoder();
    const chunks = COUNT / FRAMES_PER_CHUNK;
    const decodeSeconds = timeLoop(chunks * 2, (i) => {
      sink += decoder.push(pieces[i % 2]!).length;
    });
    report.add({
      name: `FrameDecoder.push ${name} 1KiB`,
      figures: {
        'frames/s': COUNT / decodeSeconds,
        'MB/s': (COUNT * frameBytes) / decodeSeconds / 1e6,
        'frame bytes': frameBytes,
      },
    });
    if (sink === 0) report.progress('nothing measured');
  }
  await Promise.resolve();
}
