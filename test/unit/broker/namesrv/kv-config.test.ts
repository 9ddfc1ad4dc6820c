import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KvConfigError, KvConfigStore } from '../../../../src/broker/namesrv/kv-config.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-kv-', (path) => {
  dir = path;
});

describe('KvConfigStore', () => {
  it('persists changes as RocketMQ kvConfig.json and loads them back', async () => {
    const path = join(dir, 'namesrv', 'kvConfig.json');
    const store = await KvConfigStore.open(path);
    await store.put('ORDER_TOPIC_CONFIG', 'T', 'broker-a:4');
    await store.put('ns', 'k', 'v1');
    await store.put('ns', 'k', 'v2');
    await store.delete('ns', 'missing');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      configTable: { ORDER_TOPIC_CONFIG: { T: 'broker-a:4' }, ns: { k: 'v2' } },
    });
    const reopened = await KvConfigStore.open(path);
    expect(reopened.get('ns', 'k')).toBe('v2');
    expect(reopened.list('ORDER_TOPIC_CONFIG')).toEqual({ T: 'broker-a:4' });
    await reopened.delete('ns', 'k');
    expect(reopened.list('ns')).toBeUndefined();
    expect((await KvConfigStore.open(path)).get('ns', 'k')).toBeUndefined();
    expect(await readdir(join(dir, 'namesrv'))).toEqual(['kvConfig.json']);
  });

  it('coalesces changes made while a write is in flight; the last state wins', async () => {
    const path = join(dir, 'kvConfig.json');
    const store = await KvConfigStore.open(path);
    const writes = Array.from({ length: 50 }, (_, i) => store.put('ns', `k${i % 5}`, String(i)));
    await Promise.all(writes);
    await store.flushed();
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as {
      configTable: { ns: Record<string, string> };
    };
    expect(onDisk.configTable.ns).toEqual({ k0: '45', k1: '46', k2: '47', k3: '48', k4: '49' });
  });

  it('reads a fastjson-written file and refuses a corrupt one', async () => {
    const path = join(dir, 'kvConfig.json');
    await writeFile(path, "{configTable:{'ns':{'a':'b'}}}");
    expect((await KvConfigStore.open(path)).get('ns', 'a')).toBe('b');
    await writeFile(path, '{"configTable":');
    await expect(KvConfigStore.open(path)).rejects.toBeInstanceOf(KvConfigError);
    await expect(KvConfigStore.open(join(path, 'below-a-file.json'))).rejects.toThrow(/cannot read/);
  });

  it('keeps everything in memory without a path', async () => {
    const store = await KvConfigStore.open(undefined);
    await store.put('ns', 'k', 'v');
    expect(store.get('ns', 'k')).toBe('v');
    expect(store.path).toBeUndefined();
  });

  it('reports a write that cannot happen', async () => {
    const blocker = join(dir, 'sub');
    const store = await KvConfigStore.open(join(blocker, 'kvConfig.json'));
    await writeFile(blocker, 'a file where the directory should be');
    await expect(store.put('ns', 'k', 'v')).rejects.toBeInstanceOf(KvConfigError);
    expect(store.get('ns', 'k')).toBe('v');
  });
});
