/** Reading a command's parsed options; a missing or malformed one is an AdminUsageError naming the flag. */
import { AdminUsageError } from './admin-error.js';
import type { OptionValues } from './command.js';

export function optionalText(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function requiredText(values: OptionValues, name: string): string {
  const value = optionalText(values, name);
  if (value === undefined) throw new AdminUsageError(`--${name} is required`);
  return value;
}

export function intOption(values: OptionValues, name: string, fallback: number, min = 0): number {
  const text = optionalText(values, name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new AdminUsageError(`--${name}: expected an integer of at least ${min}, got "${text}"`);
  }
  return Number(text);
}

export function boolOption(values: OptionValues, name: string, fallback: boolean): boolean {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new AdminUsageError(`--${name}: expected true or false, got "${value}"`);
}

/**
 * A time as mqadmin takes it: milliseconds since the epoch, "now", or yyyy-MM-dd#HH:mm:ss:SSS in local time.
 */
export function timeOption(values: OptionValues, name: string, now: number): number | undefined {
  const text = optionalText(values, name);
  if (text === undefined) return undefined;
  if (text === 'now') return now;
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(text);
  if (match === null) {
    throw new AdminUsageError(
      `--${name}: expected milliseconds, "now" or yyyy-MM-dd#HH:mm:ss:SSS, got "${text}"`,
    );
  }
  const [, y, mo, d, h, mi, s, ms] = match.map(Number) as [number, ...number[]];
  return new Date(y!, mo! - 1, d, h, mi, s, ms).getTime();
}
