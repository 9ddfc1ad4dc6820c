import { firstValueFrom, from, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { loggingRefusals } from '../../../../src/broker/processor/refusal-log.js';
import { createRequest, createResponse } from '../../../../src/protocol/remoting-command.js';
import { RequestCode } from '../../../../src/protocol/request-code.js';
import { ResponseCode } from '../../../../src/protocol/response-code.js';
import type { RequestProcessor } from '../../../../src/remoting/channel.js';
import { FakeChannel } from '../../../helpers/fake-channel.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';

const request = createRequest(RequestCode.PULL_MESSAGE, { extFields: { topic: 'T' } });
const answering =
  (code: number, remark?: string): RequestProcessor =>
  (req) =>
    Promise.resolve(createResponse(req, code, { remark }));

async function run(processor: RequestProcessor): Promise<ReturnType<typeof recordingLogger>> {
  const logger = recordingLogger();
  await firstValueFrom(from(loggingRefusals(processor, logger)(request, new FakeChannel('10.0.0.1:5000'))), {
    defaultValue: undefined,
  });
  return logger;
}

describe('loggingRefusals', () => {
  it('logs one warn line naming the request, the answer and its reason for a refusal', async () => {
    const logger = await run(answering(ResponseCode.TOPIC_NOT_EXIST, 'topic[T] not exist'));
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'request refused',
        fields: {
          peer: '10.0.0.1:5000',
          code: RequestCode.PULL_MESSAGE,
          request: 'PULL_MESSAGE',
          response: 'TOPIC_NOT_EXIST',
          remark: 'topic[T] not exist',
        },
      },
    ]);
  });

  it('stays quiet for successes and for the normal outcomes of a good request', async () => {
    for (const code of [ResponseCode.SUCCESS, ResponseCode.PULL_NOT_FOUND, ResponseCode.QUERY_NOT_FOUND]) {
      expect((await run(answering(code))).lines).toEqual([]);
    }
  });

  it('logs refusals a processor emits as an Observable, and leaves errors to the connection', async () => {
    const observed = await run((req) => of(createResponse(req, ResponseCode.NO_PERMISSION)));
    expect(observed.lines.map((line) => line.message)).toEqual(['request refused']);
    const thrown = recordingLogger();
    const failing = loggingRefusals(() => throwError(() => new Error('boom')), thrown);
    await expect(firstValueFrom(from(failing(request, new FakeChannel('10.0.0.1:5000'))))).rejects.toThrow(
      'boom',
    );
    expect(thrown.lines).toEqual([]);
  });

  it('answers exactly what the processor answered', async () => {
    const response = createResponse(request, ResponseCode.SYSTEM_ERROR, { remark: 'bad' });
    const wrapped = loggingRefusals(() => Promise.resolve(response), recordingLogger());
    expect(await firstValueFrom(from(wrapped(request, new FakeChannel('10.0.0.1:5000'))))).toBe(response);
  });
});
