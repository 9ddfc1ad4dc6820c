import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as ClientModule from '../src/client/index.js';
import type * as TestingModule from '../src/testing/index.js';

/**
 * The client and the broker launcher as built in dist/, loaded once: a benchmark measures the code users run
 * (compiled, no tsx transform in the client's hot path), and the launcher starts dist/broker next to it.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;

export const builtClient = await load<typeof ClientModule>('dist/client/index.js');
export const builtTesting = await load<typeof TestingModule>('dist/testing/index.js');
