import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile, writeConfigFileAtomic } from '../../../../src/broker/managers/config-file.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-config-', (path) => {
  dir = path;
});

describe('config files', () => {
  it('replaces content and keeps the previous version as .bak', async () => {
    const path = join(dir, 'topics.json');
    await writeConfigFileAtomic(path, '{"v":1}');
    await writeConfigFileAtomic(path, '{"v":2}');
    expect(await readFile(path, 'utf8')).toBe('{"v":2}');
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('{"v":1}');
  });

  it('a crash that left only a temp file reads the old content', async () => {
    const path = join(dir, 'topics.json');
    await writeConfigFileAtomic(path, '{"v":1}');
    await writeFile(`${path}.tmp`, '{"v":2, half');
    expect(await readConfigFile(path)).toBe('{"v":1}');
  });

  it('a corrupt or empty main file falls back to .bak', async () => {
    const path = join(dir, 'offsets.json');
    await writeConfigFileAtomic(path, '{"v":1}');
    await writeConfigFileAtomic(path, '{"v":2}');
    await writeFile(path, '{"v":');
    const valid = (t: string): boolean => {
      try {
        JSON.parse(t);
        return true;
      } catch {
        return false;
      }
    };
    expect(await readConfigFile(path, valid)).toBe('{"v":1}');
    await writeFile(path, '');
    expect(await readConfigFile(path, valid)).toBe('{"v":1}');
    expect(await readConfigFile(join(dir, 'missing.json'))).toBeUndefined();
  });
});
