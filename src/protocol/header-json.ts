/**
 * JSON header as fastjson writes it: alphabetical fields, language by name, values in extFields as strings.
 * Reading is lenient the way Java's fastjson and non-Java clients need: unknown keys ignored, numbers and
 * booleans in extFields coerced with String(v), non-standard JSON (single quotes, bare keys) accepted.
 */
import { ProtocolError } from '../errors.js';
import { parseFastJson } from './fastjson.js';
import {
  LANGUAGE_NAMES,
  OUR_LANGUAGE,
  SerializeType,
  type ExtFields,
  type RemotingCommand,
} from './remoting-command.js';

const languageByName = new Map<string, number>(LANGUAGE_NAMES.map((name, ordinal) => [name, ordinal]));

/** Quotes, backslashes, control characters and surrogates need JSON.stringify; most header strings do not. */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

const quote = (text: string): string => (needsEscape(text) ? JSON.stringify(text) : `"${text}"`);

export function encodeJsonHeader(cmd: RemotingCommand): string {
  let json = `{"code":${cmd.code}`;
  const ext = cmd.extFields;
  if (ext) {
    json += ',"extFields":{';
    let first = true;
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined || value === null) continue;
      json += `${first ? '' : ','}${quote(key)}:${quote(value)}`;
      first = false;
    }
    json += '}';
  }
  const language = LANGUAGE_NAMES[cmd.language] ?? LANGUAGE_NAMES[OUR_LANGUAGE];
  json += `,"flag":${cmd.flag},"language":"${language}","opaque":${cmd.opaque}`;
  if (cmd.remark !== undefined) json += `,"remark":${quote(cmd.remark)}`;
  return `${json},"serializeTypeCurrentRPC":"JSON","version":${cmd.version}}`;
}

function bad(what: string, cause?: unknown): never {
  throw new ProtocolError(`bad JSON header: ${what}`, cause === undefined ? {} : { cause });
}

function intField(header: Record<string, unknown>, name: string): number {
  const raw = header[name];
  if (raw === undefined || raw === null) return 0;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) bad(`${name} is not an integer`);
  return value;
}

function languageField(raw: unknown): number {
  if (raw === undefined || raw === null) return 0;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 0xff) return raw;
  // A language this table does not know yet still identifies a working peer.
  if (typeof raw === 'string') return languageByName.get(raw) ?? OUR_LANGUAGE;
  return bad('language is neither a name nor an ordinal');
}

function remarkField(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return bad('remark is not a string');
}

function extFieldsField(raw: unknown): ExtFields | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('extFields is not an object');
  const fields = raw as Record<string, unknown>;
  let allStrings = true;
  for (const key in fields) {
    if (typeof fields[key] !== 'string') {
      allStrings = false;
      break;
    }
  }
  // What Java sends: a map of strings, usable as parsed.
  if (allStrings) return fields as ExtFields;
  const ext: ExtFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') ext[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      ext[key] = String(value);
    } else bad(`extFields.${key} is not a scalar`);
  }
  return ext;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parseFastJson(text);
    } catch (cause) {
      return bad('not JSON', cause);
    }
  }
}

/** Reads the JSON header in buf[start, end) into a command carrying `body`. */
export function decodeJsonHeader(
  buf: Buffer,
  start: number,
  end: number,
  body: Uint8Array | undefined,
): RemotingCommand {
  const parsed = parseText(buf.toString('utf8', start, end));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) bad('not an object');
  const header = parsed as Record<string, unknown>;
  return {
    code: intField(header, 'code'),
    language: languageField(header.language),
    version: intField(header, 'version'),
    opaque: intField(header, 'opaque'),
    flag: intField(header, 'flag'),
    remark: remarkField(header.remark),
    extFields: extFieldsField(header.extFields),
    body,
    serializeType: SerializeType.JSON,
  };
}
