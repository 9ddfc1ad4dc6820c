import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/protocol/bad-request-error.js';
import {
  optionalBoolean,
  optionalInt,
  optionalLong,
  optionalString,
  requiredBoolean,
  requiredInt,
  requiredLong,
  requiredString,
  toExtFields,
} from '../../../src/protocol/ext-fields.js';
import { ResponseCode } from '../../../src/protocol/response-code.js';

const ext = {
  s: 'x',
  i: '-12',
  big: '2147483648',
  l: '1690000000000',
  b: 'TRUE',
  f: 'no',
  bad: '1.5',
  e: '',
};

describe('ext-fields readers', () => {
  it('read present values', () => {
    expect(requiredString(ext, 's')).toBe('x');
    expect(requiredInt(ext, 'i')).toBe(-12);
    expect(requiredLong(ext, 'l')).toBe(1690000000000);
    expect(requiredLong(ext, 'big')).toBe(2147483648);
    expect(requiredBoolean(ext, 'b')).toBe(true);
    expect(optionalBoolean(ext, 'f')).toBe(false);
    expect(optionalString(ext, 'e')).toBe('');
  });

  it('read absent optional values as undefined, also without extFields', () => {
    expect(optionalString(undefined, 's')).toBeUndefined();
    expect(optionalInt(ext, 'missing')).toBeUndefined();
    expect(optionalLong(ext, 'missing')).toBeUndefined();
    expect(optionalBoolean(ext, 'missing')).toBeUndefined();
  });

  it('fail a missing required field with SYSTEM_ERROR naming it', () => {
    const error = (() => {
      try {
        requiredString(undefined, 'producerGroup');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).responseCode).toBe(ResponseCode.SYSTEM_ERROR);
    expect((error as BadRequestError).message).toContain('producerGroup');
  });

  it('fail numbers that do not parse or overflow an int', () => {
    expect(() => requiredInt(ext, 'big')).toThrow(/big/);
    expect(() => requiredInt(ext, 'bad')).toThrow(BadRequestError);
    expect(() => requiredLong(ext, 'e')).toThrow(BadRequestError);
    expect(() => optionalInt(ext, 's')).toThrow(BadRequestError);
  });

  it('toExtFields drops undefined and stringifies numbers and booleans', () => {
    expect(toExtFields({ a: 'x', b: 3, c: false, d: undefined })).toEqual({ a: 'x', b: '3', c: 'false' });
  });
});
