import { RxRocketError } from '../../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * messageDelayLevel ("1s 5s 10s 30s 1m … 2h") as milliseconds per level, level 1 first (RocketMQ's
 * ScheduleMessageService.parseDelayLevel). The config checks already refused malformed text; this throws
 * for callers that skip them.
 */
export function parseDelayLevels(text: string): readonly number[] {
  return text
    .trim()
    .split(/\s+/)
    .map((level) => {
      const match = /^(\d+)([smhd])$/.exec(level);
      if (match === null) {
        throw new RxRocketError('ERR_CONFIG', `messageDelayLevel: "${level}" is not like 1s, 5m, 2h or 1d`);
      }
      return Number(match[1]) * UNIT_MS[match[2]!]!;
    });
}

/** A level past the last one waits the last one, as RocketMQ's CommitLog clamps it. */
export const clampDelayLevel = (level: number, levelCount: number): number => Math.min(level, levelCount);
