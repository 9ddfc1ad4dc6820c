import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../src/protocol/frame.js';
import { FrameDecoder } from '../../../src/protocol/frame-decoder.js';
import {
  queryConsumerOffsetRocketmqBytes,
  queryConsumerOffsetRocketmqCommand,
} from '../../fixtures/frames/query-consumer-offset-rocketmq.js';
import {
  sendMessageV2JsonBytes,
  sendMessageV2JsonCommand,
} from '../../fixtures/frames/send-message-v2-json.js';

const cases = [
  {
    name: 'SEND_MESSAGE_V2 with a JSON header',
    command: sendMessageV2JsonCommand,
    bytes: sendMessageV2JsonBytes,
  },
  {
    name: 'QUERY_CONSUMER_OFFSET with a ROCKETMQ header',
    command: queryConsumerOffsetRocketmqCommand,
    bytes: queryConsumerOffsetRocketmqBytes,
  },
];

describe('golden frames', () => {
  it.each(cases)('encodes $name byte for byte', ({ command, bytes }) => {
    expect(encodeFrame(command).toString('hex')).toBe(bytes.toString('hex'));
  });

  it.each(cases)('decodes $name', ({ command, bytes }) => {
    expect(decodeFrame(bytes.subarray(4))).toEqual(command);
  });

  it('splits both frames from one stream cut byte by byte', () => {
    const stream = Buffer.concat([sendMessageV2JsonBytes, queryConsumerOffsetRocketmqBytes]);
    const decoder = new FrameDecoder();
    const out = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out).toEqual([sendMessageV2JsonCommand, queryConsumerOffsetRocketmqCommand]);
    expect(decoder.buffered).toBe(0);
  });
});
