import { Sql92SyntaxError } from './sql92-lexer.js';
import type { Sql92Expr } from './sql92-parser.js';

/** A literal (TRUE, FALSE and NULL included) — RocketMQ's ConstantExpression. */
export const isConstant = (e: Sql92Expr): boolean =>
  e.kind === 'string' ||
  e.kind === 'int' ||
  e.kind === 'long' ||
  e.kind === 'double' ||
  e.kind === 'boolean' ||
  e.kind === 'null';

/** RocketMQ's BooleanExpression: comparisons, logic, and the TRUE/FALSE/NULL constants. */
const isBooleanExpr = (e: Sql92Expr): boolean =>
  e.kind === 'boolean' ||
  e.kind === 'null' ||
  e.kind === 'not' ||
  e.kind === 'and' ||
  e.kind === 'or' ||
  e.kind === 'compare' ||
  e.kind === 'between' ||
  e.kind === 'in' ||
  e.kind === 'isNull';

/** Where RocketMQ needs a boolean (AND, OR, NOT, the whole): a property is cast, anything else is refused. */
export function asBoolean(e: Sql92Expr, pos: number): Sql92Expr {
  if (isBooleanExpr(e) || e.kind === 'property') return e;
  throw new Sql92SyntaxError(pos, [], 'expression will not result in a boolean value');
}

/** Only numbers (or values known at evaluation) can be used in >, >=, <, <=, BETWEEN. */
export function checkOrderable(e: Sql92Expr, pos: number): void {
  if (isConstant(e) ? e.kind !== 'int' && e.kind !== 'long' && e.kind !== 'double' : isBooleanExpr(e)) {
    throw new Sql92SyntaxError(pos, [], 'value cannot be compared with >, >=, <, <= or BETWEEN');
  }
}

export function checkEquatable(left: Sql92Expr, right: Sql92Expr, pos: number): void {
  if (left.kind === 'null' || right.kind === 'null') {
    throw new Sql92SyntaxError(pos, [], 'NULL cannot be compared with = or <>; use IS NULL');
  }
  if (left.kind === 'boolean' && isConstant(right) && right.kind !== 'boolean') {
    throw new Sql92SyntaxError(pos, [], 'a boolean literal cannot be compared with a non-boolean literal');
  }
}
