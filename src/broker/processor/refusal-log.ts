/**
 * One log line for each request the broker refuses. Processors answer bad input with a response code (a
 * BadRequestError becomes one in guarded()); logging here, once for the whole request table, gives every
 * refusal the same line instead of a copy per processor. Requests that throw are logged by the connection.
 */
import { from, isObservable, tap } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { RemotingCommand } from '../../protocol/remoting-command.js';
import { requestCodeName } from '../../protocol/request-code.js';
import { ResponseCode, responseCodeName } from '../../protocol/response-code.js';
import type { RequestProcessor } from '../../remoting/channel.js';

/**
 * Answers that are the normal outcome of a well-formed request, not a refusal: nothing to pull or find yet,
 * stored but less durably than asked, and the back-pressure a busy broker applies to every client at once
 * (a line per request there would flood the log just when the broker is busiest).
 */
const OUTCOMES = new Set<number>([
  ResponseCode.SUCCESS,
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.FLUSH_DISK_TIMEOUT,
  ResponseCode.SLAVE_NOT_AVAILABLE,
  ResponseCode.FLUSH_SLAVE_TIMEOUT,
  ResponseCode.PULL_NOT_FOUND,
  ResponseCode.PULL_RETRY_IMMEDIATELY,
  ResponseCode.QUERY_NOT_FOUND,
]);

/** True for a response code that refuses the request (and so gets a log line). */
export const isRefusal = (responseCode: number): boolean => !OUTCOMES.has(responseCode);

/** `processor`, logging one warn line for each response that refuses its request. */
export function loggingRefusals(processor: RequestProcessor, logger: Logger): RequestProcessor {
  return (request, channel) => {
    const note = (response: RemotingCommand | undefined): RemotingCommand | undefined => {
      if (response !== undefined && isRefusal(response.code)) {
        logger.warn(
          {
            peer: channel.remoteAddress,
            code: request.code,
            request: requestCodeName(request.code),
            response: responseCodeName(response.code),
            remark: response.remark,
          },
          'request refused',
        );
      }
      return response;
    };
    const answer = processor(request, channel);
    // Most processors are async functions: a then() costs the send path less than an Observable around it.
    if (answer instanceof Promise) return answer.then(note);
    return isObservable(answer) ? answer.pipe(tap(note)) : from(answer).pipe(tap(note));
  };
}
