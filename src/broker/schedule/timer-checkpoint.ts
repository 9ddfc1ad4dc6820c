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
  private constructor(
    private readonly path: string,
    private offset: number,
  ) {}

  static async load(path: string): Promise<TimerCheckpoint> {
    const text = await readConfigFile(path, (t) => enqueueOffsetOf(t) !== undefined);
    return new TimerCheckpoint(path, text === undefined ? 0 : (enqueueOffsetOf(text) ?? 0));
  }

  get enqueueOffset(): number {
    return this.offset;
  }

  async advance(enqueueOffset: number): Promise<void> {
    if (enqueueOffset <= this.offset) return;
    await writeConfigFileAtomic(this.path, `${JSON.stringify({ enqueueOffset })}\n`);
    this.offset = enqueueOffset;
  }
}
