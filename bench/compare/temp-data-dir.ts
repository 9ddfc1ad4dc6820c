import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory for one server's data, and its removal: every system writes to the same disk. */
export async function tempDataDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `rxrocket-compare-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
