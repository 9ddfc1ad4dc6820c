import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DelayOffsetTable } from '../../../../src/broker/schedule/delay-offset-table.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir = '';
useTempDir('rxrocket-delay-offset-', (path) => {
  dir = path;
});

describe('DelayOffsetTable', () => {
  it("reads RocketMQ's own file, bare integer keys included", async () => {
    const path = join(dir, 'delayOffset.json');
    await writeFile(path, '{"offsetTable":{1:32,2:0,3:7}}');
    const table = await DelayOffsetTable.load(path, recordingLogger());
    expect([1, 2, 3, 4].map((level) => table.offsetOf(level))).toEqual([32, 0, 7, 0]);
  });

  it('persists an advance only once the CommitLog holds the re-put that made it', async () => {
    const path = join(dir, 'delayOffset.json');
    const table = await DelayOffsetTable.load(path, recordingLogger());
    let committed = 1000;
    table.useCommittedOffset(() => committed);
    table.advance(1, 1, 900);
    table.advance(1, 2, 1100);
    table.advance(2, 5, 1000);
    expect(table.offsetOf(1)).toBe(2);
    await table.persist();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ offsetTable: { '1': 1, '2': 5 } });
    committed = 1100;
    await table.persist();
    expect((await DelayOffsetTable.load(path, recordingLogger())).offsetOf(1)).toBe(2);
  });

  it('says so in the log and starts from 0 when neither the file nor its backup parses', async () => {
    const path = join(dir, 'delayOffset.json');
    await writeFile(path, 'not json');
    const logger = recordingLogger();
    const table = await DelayOffsetTable.load(path, logger);
    expect(table.offsetOf(1)).toBe(0);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('delayOffset'))).toBe(true);
  });
});
