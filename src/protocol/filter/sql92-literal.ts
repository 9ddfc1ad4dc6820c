import { Sql92SyntaxError } from './sql92-lexer.js';
import type { Sql92Expr } from './sql92-parser.js';

const INT_MIN = -0x80000000n;
const INT_MAX = 0x7fffffffn;
const LONG_MAX = 0x7fffffffffffffffn;
const DOUBLE_MIN_VALUE = 5e-324;

/** A DECIMAL token as RocketMQ types it: an Integer within int range, else a Long; beyond a long is refused. */
export function decimalLiteral(text: string, pos: number): Sql92Expr {
  const digits = /[lL]$/.test(text) ? text.slice(0, -1) : text;
  const value = BigInt(digits);
  if (value > LONG_MAX) throw new Sql92SyntaxError(pos, [], `${text} is out of the range of a long`);
  return value >= INT_MIN && value <= INT_MAX
    ? { kind: 'int', value: Number(value) }
    : { kind: 'long', value };
}

export function floatLiteral(text: string, pos: number): Sql92Expr {
  const value = Number(text);
  // RocketMQ refuses values above Double.MAX_VALUE and below Double.MIN_VALUE (so 0.0 as well).
  if (!Number.isFinite(value))
    throw new Sql92SyntaxError(pos, [], `${text} is greater than Double.MAX_VALUE`);
  if (value < DOUBLE_MIN_VALUE) throw new Sql92SyntaxError(pos, [], `${text} is less than Double.MIN_VALUE`);
  return { kind: 'double', value };
}
