import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexThread } from '../../../../src/broker/store/index-thread.js';
import { silentLogger } from '../../../../src/logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir = '';
useTempDir('rxrocket-index-thread-', (path) => {
  dir = path;
});

const data = (maxIndexNum: number, name = 'index') => ({
  indexDir: join(dir, name),
  geometry: { maxHashSlotNum: 13, maxIndexNum },
  commitLogDir: join(dir, 'commitlog'),
  commitLogFileSize: 4096,
});

describe('IndexThread', () => {
  it('rejects its start with the reason when the index files cannot be opened', async () => {
    await expect(IndexThread.start(data(1), silentLogger)).rejects.toThrow(/bad index geometry/);
  });

  it('answers a query on an empty log, then refuses requests once closed', async () => {
    const thread = await IndexThread.start(data(100), silentLogger);
    expect(await thread.query(0, 'T', 'k', 10, 0, Number.MAX_SAFE_INTEGER)).toMatchObject({
      physicalOffsets: [],
    });
    await thread.close(0);
    await expect(thread.query(0, 'T', 'k', 10, 0, 1)).rejects.toThrow(/index thread/);
  });

  it('keeps stores apart on the shared thread: closing one leaves the other answering', async () => {
    const first = await IndexThread.start(data(100, 'first'), silentLogger);
    const second = await IndexThread.start(data(100, 'second'), silentLogger);
    await first.close(0);
    await expect(first.flush(0)).rejects.toThrow(/closed/);
    await second.flush(0);
    expect(await second.query(0, 'T', 'k', 10, 0, 1)).toMatchObject({ physicalOffsets: [] });
    await second.close(0);
  });

  it('keeps its process alive while an answer is awaited, and lets it exit once its stores are closed', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/store/index-thread-child.ts', dir],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.error).toBeUndefined();
    expect(child.stdout.split('\n')).toEqual(['flushed', 'closed', '']);
    expect(child.status).toBe(0);
  });
});
