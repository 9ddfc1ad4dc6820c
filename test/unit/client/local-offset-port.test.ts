import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalOffsetPort, localOffsetFile } from '../../../src/client/local-offset-port.js';

const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
const q1 = { topic: 'T', brokerName: 'b', queueId: 1 };

describe('local offset file (broadcasting)', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxrocket-offsets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = () => ({ clientId: '10.0.0.1@1', group: 'g', dir });

  it('lives at <dir>/<clientId>/<group>/offsets.json', () => {
    expect(localOffsetFile(options())).toBe(join(dir, '10.0.0.1@1', 'g', 'offsets.json'));
  });

  it('knows no offset before anything was written', async () => {
    expect(await firstValueFrom(createLocalOffsetPort(options()).read$(q0))).toBeUndefined();
  });

  it('writes fastjson’s object-keyed table, keeps a .bak, and a new port reads it back', async () => {
    const port = createLocalOffsetPort(options());
    await lastValueFrom(port.write$(q0, 5), { defaultValue: undefined });
    await lastValueFrom(port.write$(q1, 9), { defaultValue: undefined });
    const file = localOffsetFile(options());
    expect(await readFile(file, 'utf8')).toBe(
      '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:5,{"brokerName":"b","queueId":1,"topic":"T"}:9}}',
    );
    expect(await readFile(`${file}.bak`, 'utf8')).toContain(':5}');
    const again = createLocalOffsetPort(options());
    expect(await firstValueFrom(again.read$(q1))).toBe(9);
  });

  it('reads a file a Java client wrote (pretty-printed), and falls back to .bak when the file is corrupt', async () => {
    const file = localOffsetFile(options());
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      `${file}.bak`,
      '{\n\t"offsetTable":{{\n\t\t\t"brokerName":"b",\n\t\t\t"queueId":0,\n\t\t\t"topic":"T"\n\t\t}:42\n\t}\n}',
    );
    await writeFile(file, '{"offsetTable":{{"brokerName"');
    expect(await firstValueFrom(createLocalOffsetPort(options()).read$(q0))).toBe(42);
  });
});
