import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath } from '../../../../bench/compare/installed.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

describe('findOnPath', () => {
  let dir = '';
  useTempDir('rxrocket-on-path-', (path) => (dir = path));
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('finds an executable in a later PATH directory and skips a file there that is not executable', async () => {
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'a', 'peer-server'), 'not executable');
    await writeFile(join(dir, 'b', 'peer-server'), '#!/bin/sh\n');
    await chmod(join(dir, 'b', 'peer-server'), 0o755);
    process.env.PATH = [join(dir, 'missing'), join(dir, 'a'), join(dir, 'b')].join(':');
    expect(await findOnPath('peer-server')).toBe(join(dir, 'b', 'peer-server'));
  });

  it('answers undefined for a command on no PATH directory', async () => {
    process.env.PATH = dir;
    expect(await findOnPath('peer-server')).toBeUndefined();
  });
});
