import type { Logger } from '../../logger.js';
import { CoalescingWriter } from '../managers/coalescing-writer.js';
import { readConfigFile, writeConfigFileAtomic } from '../managers/config-file.js';

interface Advance {
  readonly next: number;
  /** End of the re-put record in the CommitLog: the advance is safe to persist once the log holds it. */
  readonly end: number;
}

/** RocketMQ writes {"offsetTable":{1:5,2:0}} (fastjson, bare integer keys); JSON wants them quoted. */
const quoteIntegerKeys = (text: string): string => text.replace(/([{,]\s*)(-?\d+)(\s*:)/g, '$1"$2"$3');

function parseOffsetTable(text: string): Map<number, number> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(quoteIntegerKeys(text));
  } catch {
    return undefined;
  }
  const table = (parsed as { offsetTable?: unknown } | null)?.offsetTable;
  if (table === null || typeof table !== 'object') return undefined;
  const offsets = new Map<number, number>();
  for (const [level, offset] of Object.entries(table)) {
    if (Number.isInteger(Number(level)) && Number.isSafeInteger(offset) && (offset as number) >= 0) {
      offsets.set(Number(level), offset as number);
    }
  }
  return offsets;
}

/**
 * config/delayOffset.json: per delay level, the ConsumeQueue offset of SCHEDULE_TOPIC_XXXX up to which
 * messages were moved to their real topic. A delivery counts once its re-put is in the CommitLog file
 * (not only in the write buffer), so a crash right after a persist cannot lose what the file says was
 * delivered.
 */
export class DelayOffsetTable {
  private readonly pending = new Map<number, Advance[]>();
  private readonly writer: CoalescingWriter;
  private committed: () => number = () => Number.MAX_SAFE_INTEGER;

  private constructor(
    private readonly path: string,
    private readonly durable: Map<number, number>,
    private readonly logger: Logger,
  ) {
    this.writer = new CoalescingWriter(() => this.write());
  }

  static async load(path: string, logger: Logger): Promise<DelayOffsetTable> {
    const text = await readConfigFile(path, (t) => parseOffsetTable(t) !== undefined);
    const offsets = text === undefined ? new Map<number, number>() : parseOffsetTable(text);
    if (offsets === undefined) {
      logger.error({ path }, 'delayOffset.json is not readable; every delay level starts from offset 0');
    }
    return new DelayOffsetTable(path, offsets ?? new Map<number, number>(), logger);
  }

  /** The CommitLog's committed end, which decides which advances are durable. */
  useCommittedOffset(committed: () => number): void {
    this.committed = committed;
  }

  /** Where the level's pipeline goes on from: the last advance, durable or not. */
  offsetOf(level: number): number {
    return this.pending.get(level)?.at(-1)?.next ?? this.durable.get(level) ?? 0;
  }

  /** The level's messages before `next` are delivered; the re-put of the last one ends at `end`. */
  advance(level: number, next: number, end: number): void {
    let advances = this.pending.get(level);
    if (advances === undefined) {
      advances = [];
      this.pending.set(level, advances);
    }
    if (next > this.offsetOf(level)) advances.push({ next, end });
  }

  /** Moves every advance the CommitLog now holds into the table and writes the file. */
  persist(): Promise<void> {
    return this.writer.request();
  }

  /** The offsets as they are written: the durable ones. */
  snapshot(): ReadonlyMap<number, number> {
    this.settle();
    return new Map(this.durable);
  }

  private settle(): void {
    const committed = this.committed();
    for (const [level, advances] of this.pending) {
      let n = 0;
      while (n < advances.length && advances[n]!.end <= committed) n++;
      if (n > 0) {
        this.durable.set(level, advances[n - 1]!.next);
        advances.splice(0, n);
      }
    }
  }

  private async write(): Promise<void> {
    const table: Record<string, number> = {};
    for (const [level, offset] of [...this.snapshot()].sort((a, b) => a[0] - b[0])) {
      table[String(level)] = offset;
    }
    try {
      await writeConfigFileAtomic(this.path, `${JSON.stringify({ offsetTable: table }, null, 2)}\n`);
    } catch (error) {
      this.logger.error({ path: this.path, error: String(error) }, 'delay offsets not persisted');
      throw error;
    }
  }
}
