import { BadRequestError } from '../../protocol/bad-request-error.js';
import { type RemotingCommand, createResponse } from '../../protocol/remoting-command.js';
import type { Channel, RequestProcessor } from '../../remoting/channel.js';

export type Handler = (
  request: RemotingCommand,
  channel: Channel,
) => Promise<RemotingCommand> | RemotingCommand;

/** A request refused with a BadRequestError is answered with its response code and text, as Java does. */
export const guarded =
  (handler: Handler): RequestProcessor =>
  async (request, channel) => {
    try {
      return await handler(request, channel);
    } catch (error) {
      if (error instanceof BadRequestError)
        return createResponse(request, error.responseCode, { remark: error.message });
      throw error;
    }
  };
