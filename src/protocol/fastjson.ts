/**
 * JSON as Java's fastjson reads and writes it. fastjson output is not always JSON: maps with numeric keys are
 * written `{0:"a"}`, maps keyed by objects (MessageQueue) `{{"brokerName":"b","queueId":0,"topic":"t"}:5}`,
 * and on input it also takes single quotes and bare identifier keys. An object key parses to the canonical
 * string of that object (JSON with keys sorted), the same string `canonicalJson` gives for a MessageQueue.
 */
import { ProtocolError } from '../errors.js';

/** JSON with object keys sorted at every level: fastjson's field order, and a stable map key. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Standard JSON (quoted keys): every Java client of the 4.x line parses it. */
export function stringifyFastJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A map keyed by objects in fastjson's own syntax, which Java clients expect for MessageQueue-keyed tables. */
export function stringifyObjectKeyedMap(entries: Iterable<readonly [object, unknown]>): string {
  const parts: string[] = [];
  for (const [key, value] of entries) parts.push(`${canonicalJson(key)}:${JSON.stringify(value) ?? 'null'}`);
  return `{${parts.join(',')}}`;
}

/** Parses fastjson text; standard JSON takes the native fast path. */
export function parseFastJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new TolerantParser(text).parseDocument();
  }
}

const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[\w$]/;
const NUMBER = /-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class TolerantParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('trailing characters');
    return value;
  }

  private fail(what: string): never {
    throw new ProtocolError(`bad fastjson at offset ${this.pos}: ${what}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private parseValue(): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"' || c === "'") return this.parseString(c);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    const word = this.parseIdentifier();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null' || word === 'undefined') return null;
    return this.fail(word === '' ? 'value expected' : `unexpected word ${word}`);
  }

  private parseObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return result;
      }
      const key = this.parseKey();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("':' expected");
      this.pos++;
      // defineProperty keeps a "__proto__" key an ordinary entry instead of a prototype change.
      Object.defineProperty(result, key, {
        value: this.parseValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return result;
      if (c !== ',') this.fail("',' or '}' expected");
    }
  }

  private parseKey(): string {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.parseString(c);
    if (c === '{' || c === '[') return canonicalJson(this.parseValue());
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return String(this.parseNumber());
    const word = this.parseIdentifier();
    if (word === '') this.fail('key expected');
    return word;
  }

  private parseArray(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return result;
      }
      result.push(this.parseValue());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return result;
      if (c !== ',') this.fail("',' or ']' expected");
    }
  }

  private parseIdentifier(): string {
    const start = this.pos;
    if (this.pos < this.text.length && IDENTIFIER_START.test(this.text[this.pos]!)) {
      this.pos++;
      while (this.pos < this.text.length && IDENTIFIER_PART.test(this.text[this.pos]!)) this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  private parseNumber(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('number expected');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private parseString(quote: string): string {
    let out = '';
    this.pos++;
    for (;;) {
      const end = this.text.indexOf(quote, this.pos);
      const escape = this.text.indexOf('\\', this.pos);
      if (end < 0) this.fail('unterminated string');
      if (escape < 0 || escape > end) {
        out += this.text.slice(this.pos, end);
        this.pos = end + 1;
        return out;
      }
      out += this.text.slice(this.pos, escape);
      this.pos = escape + 1;
      out += this.parseEscape();
    }
  }

  private parseEscape(): string {
    const c = this.text[this.pos++];
    switch (c) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        return this.hexChar(4);
      case 'x':
        return this.hexChar(2);
      case undefined:
        return this.fail('unterminated escape');
      default:
        return c;
    }
  }

  private hexChar(digits: number): string {
    const hex = this.text.slice(this.pos, this.pos + digits);
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) this.fail('bad hex escape');
    this.pos += digits;
    return String.fromCharCode(parseInt(hex, 16));
  }
}
