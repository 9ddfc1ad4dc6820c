/**
 * Typed access to a header's extFields, following Java's CommandCustomHeader decoding: a missing required
 * field or an unparsable number fails the request (BadRequestError names the field); booleans parse like
 * Boolean.parseBoolean (only "true", any case, is true).
 */
import { BadRequestError } from './bad-request-error.js';
import type { ExtFields } from './remoting-command.js';

type Ext = ExtFields | undefined;

const INTEGER = /^[+-]?\d+$/;
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

function raw(ext: Ext, name: string): string | undefined {
  const value = ext?.[name];
  return typeof value === 'string' ? value : undefined;
}

function missing(name: string): never {
  throw new BadRequestError(`the custom field <${name}> is null`);
}

function parseInteger(value: string, name: string, int32: boolean): number {
  const trimmed = value.trim();
  const n = INTEGER.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(n) || (int32 && (n < INT_MIN || n > INT_MAX))) {
    throw new BadRequestError(`the custom field <${name}> is not ${int32 ? 'an int' : 'a long'}: ${value}`);
  }
  return n;
}

export function optionalString(ext: Ext, name: string): string | undefined {
  return raw(ext, name);
}

export function requiredString(ext: Ext, name: string): string {
  return raw(ext, name) ?? missing(name);
}

export function optionalInt(ext: Ext, name: string): number | undefined {
  const value = raw(ext, name);
  return value === undefined ? undefined : parseInteger(value, name, true);
}

export function requiredInt(ext: Ext, name: string): number {
  return parseInteger(raw(ext, name) ?? missing(name), name, true);
}

export function optionalLong(ext: Ext, name: string): number | undefined {
  const value = raw(ext, name);
  return value === undefined ? undefined : parseInteger(value, name, false);
}

/** An int that counts or indexes something (a queueId): a negative one is refused like an unparsable one. */
export function requiredNonNegativeInt(ext: Ext, name: string): number {
  const n = requiredInt(ext, name);
  if (n < 0) throw new BadRequestError(`the custom field <${name}> must not be negative: ${n}`);
  return n;
}

export function requiredLong(ext: Ext, name: string): number {
  return parseInteger(raw(ext, name) ?? missing(name), name, false);
}

export function optionalBoolean(ext: Ext, name: string): boolean | undefined {
  const value = raw(ext, name);
  return value === undefined ? undefined : value.trim().toLowerCase() === 'true';
}

export function requiredBoolean(ext: Ext, name: string): boolean {
  return (raw(ext, name) ?? missing(name)).trim().toLowerCase() === 'true';
}

export type ExtFieldValue = string | number | boolean | undefined;

/** extFields from typed values: undefined dropped (Java omits nulls), numbers and booleans in decimal/text. */
export function toExtFields(fields: Readonly<Record<string, ExtFieldValue>>): ExtFields {
  const ext: ExtFields = {};
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    ext[key] = typeof value === 'string' ? value : String(value);
  }
  return ext;
}
