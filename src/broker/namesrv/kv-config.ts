/**
 * The name server's KV config (RocketMQ's KVConfigManager): namespace → key → value, kept in memory and, when
 * a path is given, in kvConfig.json as RocketMQ writes it, `{"configTable":{"<namespace>":{"<key>":"<value>"}}}`.
 * Each change is written whole to a temp file, fsynced and renamed over the old one, so a crash leaves either
 * the old or the new file. Writes are serialised; changes made while one is in flight share the next write.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RxRocketError } from '../../errors.js';
import { parseFastJson } from '../../protocol/fastjson.js';

export const KV_CONFIG_FILE_NAME = 'kvConfig.json';

export class KvConfigError extends RxRocketError {
  override readonly name = 'KvConfigError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_KV_CONFIG', message, options);
  }
}

type Table = Map<string, Map<string, string>>;

function parseTable(text: string, path: string): Table {
  let parsed: unknown;
  try {
    parsed = parseFastJson(text);
  } catch (cause) {
    throw new KvConfigError(`${path} is not valid JSON`, { cause });
  }
  const table: Table = new Map();
  const configTable = (parsed as { configTable?: unknown } | null)?.configTable;
  if (configTable === undefined || configTable === null) return table;
  if (typeof configTable !== 'object') throw new KvConfigError(`${path}: configTable is not an object`);
  for (const [namespace, entries] of Object.entries(configTable as Record<string, unknown>)) {
    if (entries === null || typeof entries !== 'object')
      throw new KvConfigError(`${path}: namespace ${namespace} is not an object`);
    const map = new Map<string, string>();
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new KvConfigError(`${path}: ${namespace}.${key} is not a string`);
      map.set(key, value);
    }
    table.set(namespace, map);
  }
  return table;
}

export class KvConfigStore {
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly table: Table,
    /** undefined = memory only. */
    readonly path: string | undefined,
  ) {}

  static inMemory(): KvConfigStore {
    return new KvConfigStore(new Map(), undefined);
  }

  /** Loads `path` if it exists; a file that exists but cannot be read as kvConfig.json is an error. */
  static async open(path: string | undefined): Promise<KvConfigStore> {
    if (path === undefined) return KvConfigStore.inMemory();
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new KvConfigStore(new Map(), path);
      throw new KvConfigError(`cannot read ${path}`, { cause });
    }
    return new KvConfigStore(
      text.trim() === '' ? new Map<string, Map<string, string>>() : parseTable(text, path),
      path,
    );
  }

  get(namespace: string, key: string): string | undefined {
    return this.table.get(namespace)?.get(key);
  }

  /** Every key of a namespace, or undefined if it has none. */
  list(namespace: string): Record<string, string> | undefined {
    const entries = this.table.get(namespace);
    return entries === undefined || entries.size === 0 ? undefined : Object.fromEntries(entries);
  }

  /** Takes effect at once; the promise settles when the change is on disk. */
  put(namespace: string, key: string, value: string): Promise<void> {
    let entries = this.table.get(namespace);
    if (!entries) this.table.set(namespace, (entries = new Map<string, string>()));
    entries.set(key, value);
    return this.persist();
  }

  delete(namespace: string, key: string): Promise<void> {
    const entries = this.table.get(namespace);
    if (!entries?.delete(key)) return Promise.resolve();
    if (entries.size === 0) this.table.delete(namespace);
    return this.persist();
  }

  /** Settles once every change made so far is written. */
  flushed(): Promise<void> {
    return this.queued ?? this.writing;
  }

  private persist(): Promise<void> {
    const path = this.path;
    if (path === undefined) return Promise.resolve();
    if (this.queued) return this.queued;
    const next = this.writing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.writeFile(path);
      });
    this.queued = next;
    this.writing = next;
    return next;
  }

  private snapshot(): string {
    const configTable: Record<string, Record<string, string>> = {};
    for (const [namespace, entries] of this.table) configTable[namespace] = Object.fromEntries(entries);
    return JSON.stringify({ configTable }, null, '\t');
  }

  private async writeFile(path: string): Promise<void> {
    const text = this.snapshot();
    const dir = dirname(path);
    const tmp = `${path}.tmp`;
    try {
      await mkdir(dir, { recursive: true });
      const file = await open(tmp, 'w');
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
      await syncDirectory(dir);
    } catch (cause) {
      throw new KvConfigError(`cannot write ${path}`, { cause });
    }
  }
}

/** Makes the rename durable; some platforms cannot fsync a directory, which only weakens that guarantee. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    return;
  } finally {
    await handle?.close();
  }
}
