import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** The path of `command` on PATH, or undefined when it is not installed there. */
export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; the next one may have it
    }
  }
  return undefined;
}
