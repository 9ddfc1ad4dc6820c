/**
 * One RemotingCommand ⇄ one frame: `int length | int headerInfo (type << 24 | headerLen) | header | body`.
 * Encoding allocates the frame once and writes header and body into it; decoding leaves the body a view.
 */
import { ProtocolError } from '../errors.js';
import { decodeJsonHeader, encodeJsonHeader } from './header-json.js';
import { decodeRocketmqHeader, rocketmqHeaderLength, writeRocketmqHeader } from './header-rocketmq.js';
import { SerializeType, type RemotingCommand } from './remoting-command.js';

const MAX_HEADER_LENGTH = 0xffffff;

function checkHeaderLength(headerLength: number): void {
  if (headerLength > MAX_HEADER_LENGTH) {
    throw new ProtocolError(`header of ${headerLength} bytes does not fit the 24-bit header length`);
  }
}

/** The whole frame, length prefix included. */
export function encodeFrame(cmd: RemotingCommand): Buffer {
  const body = cmd.body;
  const bodyLength = body ? body.length : 0;
  let buf: Buffer;
  let headerLength: number;
  switch (cmd.serializeType) {
    case SerializeType.ROCKETMQ: {
      headerLength = rocketmqHeaderLength(cmd);
      checkHeaderLength(headerLength);
      buf = Buffer.allocUnsafe(8 + headerLength + bodyLength);
      writeRocketmqHeader(cmd, buf, 8);
      break;
    }
    case SerializeType.JSON: {
      const json = encodeJsonHeader(cmd);
      headerLength = Buffer.byteLength(json, 'utf8');
      checkHeaderLength(headerLength);
      buf = Buffer.allocUnsafe(8 + headerLength + bodyLength);
      buf.write(json, 8, 'utf8');
      break;
    }
    default:
      throw new ProtocolError(`unknown serialize type ${String(cmd.serializeType)}`);
  }
  buf.writeUInt32BE(4 + headerLength + bodyLength, 0);
  buf.writeUInt32BE(((cmd.serializeType << 24) | headerLength) >>> 0, 4);
  if (body && bodyLength > 0) buf.set(body, 8 + headerLength);
  return buf;
}

/** Decodes the bytes after the length prefix (starting at headerInfo). The body is a view into `frame`. */
export function decodeFrame(frame: Buffer): RemotingCommand {
  if (frame.length < 4) throw new ProtocolError(`frame of ${frame.length} bytes has no header length`);
  const headerInfo = frame.readUInt32BE(0);
  const type = headerInfo >>> 24;
  const headerLength = headerInfo & MAX_HEADER_LENGTH;
  const headerEnd = 4 + headerLength;
  if (headerEnd > frame.length) {
    throw new ProtocolError(
      `header length ${headerLength} exceeds the ${frame.length - 4} bytes of the frame`,
    );
  }
  const body = headerEnd < frame.length ? frame.subarray(headerEnd) : undefined;
  switch (type) {
    case SerializeType.JSON:
      return decodeJsonHeader(frame, 4, headerEnd, body);
    case SerializeType.ROCKETMQ:
      return decodeRocketmqHeader(frame, 4, headerEnd, body);
    default:
      throw new ProtocolError(`unknown serialize type ${type}`);
  }
}
