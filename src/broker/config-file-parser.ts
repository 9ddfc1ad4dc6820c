/**
 * RocketMQ's broker.conf: Java properties text, `key=value` per line (also `key: value` or `key value`),
 * `#` and `!` comments, blank lines, a trailing backslash continuing a line, backslash escapes. Values are
 * trimmed and converted to each key's type; an unknown key is a warning, a bad value an error naming the
 * file, line and key.
 */
import { type BrokerConfig, type BrokerConfigKey, convertConfigValue, resolveConfigKey } from './config.js';

export interface PropertyLine {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };
const unescape = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);

const endsWithContinuation = (line: string): boolean => {
  let slashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) slashes++;
  return slashes % 2 === 1;
};

/** Splits at the first unescaped `=`, `:` or whitespace, as java.util.Properties does. */
function splitEntry(logical: string): [string, string] {
  for (let i = 0; i < logical.length; i++) {
    const c = logical[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':') return [logical.slice(0, i), logical.slice(i + 1)];
    if (/\s/.test(c)) {
      const rest = logical.slice(i).replace(/^\s*[=:]?/, '');
      return [logical.slice(0, i), rest];
    }
  }
  return [logical, ''];
}

export function parsePropertiesText(text: string): PropertyLine[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]!.trimStart();
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.trimStart();
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    const [key, value] = splitEntry(logical);
    entries.push({ key: unescape(key.trim()), value: unescape(value).trim(), line: start });
  }
  return entries;
}

export interface ConfigValues {
  readonly values: Partial<Record<BrokerConfigKey, BrokerConfig[BrokerConfigKey]>>;
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
}

/** Typed values for known keys; `where(line)` prefixes messages ("broker.conf:12", "--set"). */
export function convertProperties(
  entries: readonly PropertyLine[],
  where: (line: number) => string,
): ConfigValues {
  const values: Partial<Record<BrokerConfigKey, BrokerConfig[BrokerConfigKey]>> = {};
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const { key, value, line } of entries) {
    const resolved = resolveConfigKey(key);
    if (resolved.kind === 'unknown') {
      warnings.push(`${where(line)}: unknown key "${key}" ignored`);
      continue;
    }
    if (resolved.kind === 'ignored') {
      warnings.push(`${where(line)}: "${key}" tunes the Java broker and has no effect here`);
      continue;
    }
    if (resolved.alias !== undefined) {
      warnings.push(`${where(line)}: "${resolved.alias}" is the old spelling of "${resolved.key}"`);
    }
    try {
      values[resolved.key] = convertConfigValue(resolved.key, value);
    } catch (error) {
      errors.push(`${where(line)}: ${key}: ${(error as Error).message}`);
    }
  }
  return { values, warnings, errors };
}

export function parseBrokerConfigFile(text: string, fileName: string): ConfigValues {
  return convertProperties(parsePropertiesText(text), (line) => `${fileName}:${line}`);
}
