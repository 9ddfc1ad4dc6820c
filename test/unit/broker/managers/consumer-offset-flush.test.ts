import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtualTimeScheduler, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConsumerOffsetManager } from '../../../../src/broker/managers/consumer-offset-manager.js';
import { silentLogger } from '../../../../src/logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-offset-flush-', (path) => {
  dir = path;
});

const persisted = (path: string): Promise<unknown> =>
  readFile(path, 'utf8').then(
    (text) => (JSON.parse(text) as { offsetTable: unknown }).offsetTable,
    () => undefined,
  );

describe('ConsumerOffsetManager.flushLoop$', () => {
  // A broker SIGKILLed under load keeps only the offsets flushed before it died: a configured interval
  // shorter than the default must be the one used, or consumers re-read everything since the last 5 s.
  it('writes changed offsets every configured flushConsumerOffsetInterval, not every 5 s', async () => {
    const path = join(dir, 'consumerOffset.json');
    const offsets = await ConsumerOffsetManager.load(path, silentLogger);
    const scheduler = new VirtualTimeScheduler();
    const flushed = firstValueFrom(offsets.flushLoop$(scheduler, 300));
    offsets.commitOffset('CG', 'T', 2, 41);

    scheduler.maxFrames = 299;
    scheduler.flush();
    expect(await persisted(path)).toBeUndefined();

    scheduler.maxFrames = 300;
    scheduler.flush();
    await flushed;
    expect(await persisted(path)).toEqual({ 'T@CG': { 2: 41 } });
  });
});
