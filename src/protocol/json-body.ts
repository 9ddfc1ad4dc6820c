/**
 * Reading JSON request bodies (HeartbeatData, LockBatchRequestBody, …) the way fastjson binds them: missing
 * fields take the Java field's default, unknown fields are ignored, a value of the wrong type fails the request
 * with a BadRequestError naming the field.
 */
import { BadRequestError } from './bad-request-error.js';
import { parseFastJson } from './fastjson.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function parseJsonObject(body: Uint8Array | string | undefined, what: string): JsonObject {
  if (body === undefined || body.length === 0) throw new BadRequestError(`${what}: body is empty`);
  const text =
    typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  let parsed: unknown;
  try {
    parsed = parseFastJson(text);
  } catch (cause) {
    throw new BadRequestError(`${what}: body is not JSON (${(cause as Error).message})`);
  }
  return asObject(parsed, what);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${what} is not a JSON object`);
  }
  return value as JsonObject;
}

function wrongType(name: string, expected: string): never {
  throw new BadRequestError(`field ${name} is not ${expected}`);
}

export function jsonString(obj: JsonObject, name: string, fallback?: string): string {
  const value = obj[name];
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return fallback ?? wrongType(name, 'a string');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return wrongType(name, 'a string');
}

export function jsonOptionalString(obj: JsonObject, name: string): string | undefined {
  const value = obj[name];
  return value === undefined || value === null ? undefined : jsonString(obj, name);
}

export function jsonNumber(obj: JsonObject, name: string, fallback?: number): number {
  const value = obj[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  if (value === undefined || value === null) return fallback ?? wrongType(name, 'a number');
  return wrongType(name, 'a number');
}

export function jsonBoolean(obj: JsonObject, name: string, fallback: boolean): boolean {
  const value = obj[name];
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  return wrongType(name, 'a boolean');
}

/** An array (Java List/Set) of items read by `item`; missing means empty. */
export function jsonArray<T>(obj: JsonObject, name: string, item: (value: unknown, name: string) => T): T[] {
  const value = obj[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return wrongType(name, 'an array');
  return value.map((v, i) => item(v, `${name}[${i}]`));
}

export const stringItem = (value: unknown, name: string): string =>
  typeof value === 'string' ? value : wrongType(name, 'a string');

export const numberItem = (value: unknown, name: string): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : wrongType(name, 'a number');

export function encodeJsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
