/**
 * What a slave asks its master for every 10 s besides the CommitLog (RocketMQ's AdminBrokerProcessor):
 * GET_ALL_CONSUMER_OFFSET (43), consumerOffset.json's content, and GET_ALL_DELAY_OFFSET (45),
 * delayOffset.json's content as last persisted (every flushDelayOffsetInterval). Topics (21) and
 * subscription groups (201) are answered by their own processors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createResponse } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import { encodeJsonBody } from '../../protocol/json-body.js';
import type { RequestProcessor } from '../../remoting/channel.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import { guarded } from '../processor/guarded.js';

export interface ReplicationProcessorDeps {
  readonly offsets: Pick<ConsumerOffsetManager, 'toJson'>;
  readonly storePathRootDir: string;
}

const NO_DELAY_OFFSETS = '{"offsetTable":{}}';

export function delayOffsetPath(storePathRootDir: string): string {
  return join(storePathRootDir, 'config', 'delayOffset.json');
}

export function createReplicationProcessors(
  deps: ReplicationProcessorDeps,
): ReadonlyMap<number, RequestProcessor> {
  const allOffsets = guarded((request) =>
    createResponse(request, ResponseCode.SUCCESS, { body: encodeJsonBody(deps.offsets.toJson()) }),
  );
  const allDelayOffsets = guarded(async (request) => {
    const text = await readFile(delayOffsetPath(deps.storePathRootDir), 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_DELAY_OFFSETS;
      throw error;
    });
    return createResponse(request, ResponseCode.SUCCESS, { body: Buffer.from(text, 'utf8') });
  });
  return new Map([
    [RequestCode.GET_ALL_CONSUMER_OFFSET, allOffsets],
    [RequestCode.GET_ALL_DELAY_OFFSET, allDelayOffsets],
  ]);
}
