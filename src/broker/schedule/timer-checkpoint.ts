import { readConfigFile, writeConfigFileAtomic } from '../managers/config-file.js';

const enqueueOffsetOf = (text: string): number | undefined => {
  try {
    const offset = (JSON.parse(text) as { enqueueOffset?: unknown } | null)?.enqueueOffset;
    return Number.isSafeInteger(offset) && (offset as number) >= 0 ? (offset as number) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * config/timerCheckpoint.json: how far the timer topic's queue has been taken into the slot files
 * (RocketMQ 5.x keeps the same in its timercheck file). Everything before it is in a slot file or delivered.
 */
export class TimerCheckpoint {
  private written: number;

  private constructor(
    private readonly path: string,
    private offset: number,
  ) {
    this.written = offset;
  }

  static async load(path: string): Promise<TimerCheckpoint> {
    const text = await readConfigFile(path, (t) => enqueueOffsetOf(t) !== undefined);
    return new TimerCheckpoint(path, text === undefined ? 0 : (enqueueOffsetOf(text) ?? 0));
  }

  get enqueueOffset(): number {
    return this.offset;
  }

  /** Everything before `enqueueOffset` is in a slot file or delivered; written by the next persist(). */
  advance(enqueueOffset: number): void {
    this.offset = Math.max(this.offset, enqueueOffset);
  }

  /** Writes the file when the offset moved since the last write. */
  async persist(): Promise<void> {
    const offset = this.offset;
    if (offset === this.written) return;
    await writeConfigFileAtomic(this.path, `${JSON.stringify({ enqueueOffset: offset })}\n`);
    this.written = Math.max(this.written, offset);
  }
}
