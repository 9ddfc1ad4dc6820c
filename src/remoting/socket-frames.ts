import type { Socket } from 'node:net';
import { Observable } from 'rxjs';
import { FrameDecoder, type FrameDecoderOptions } from '../protocol/frame-decoder.js';
import type { RemotingCommand } from '../protocol/remoting-command.js';

/**
 * A socket as the Observable of the commands it carries: completes when the socket closes, errors with the
 * decoder's ProtocolError / FrameTooLargeError on bytes that are not a frame, and destroys the socket when
 * unsubscribed (so an error, which unsubscribes, also drops the connection that sent the bad bytes).
 */
export function socketFrames$(
  socket: Socket,
  options: FrameDecoderOptions = {},
): Observable<RemotingCommand> {
  return new Observable<RemotingCommand>((subscriber) => {
    if (socket.destroyed) {
      subscriber.complete();
      return undefined;
    }
    const decoder = new FrameDecoder(options);
    const onData = (chunk: Buffer): void => {
      let commands: RemotingCommand[];
      try {
        commands = decoder.push(chunk);
      } catch (error) {
        subscriber.error(error);
        return;
      }
      for (const command of commands) {
        if (subscriber.closed) return;
        subscriber.next(command);
      }
      if (decoder.failure !== undefined) subscriber.error(decoder.failure);
    };
    const onClose = (): void => {
      subscriber.complete();
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    return () => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.destroy();
    };
  });
}
