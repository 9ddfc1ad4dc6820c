import { compileBoolean, EvaluationAbort } from './sql92-evaluate.js';
import type { PropertyLookup } from './sql92-evaluate.js';
import { parseSql92 } from './sql92-parser.js';
import type { Sql92Expr } from './sql92-parser.js';

export { Sql92SyntaxError } from './sql92-lexer.js';
export { parseSql92 } from './sql92-parser.js';
export type { Sql92CompareOp, Sql92Expr } from './sql92-parser.js';

export type Sql92Properties = ReadonlyMap<string, string> | PropertyLookup;

/** A compiled RocketMQ SQL92 filter: parsed once, evaluated against many messages' properties. */
export interface Sql92Filter {
  readonly source: string;
  readonly ast: Sql92Expr;
  /** True only when the expression is TRUE; unknown (a missing property) and evaluation errors are false. */
  evaluate(properties: Sql92Properties): boolean;
}

/** Parses `expression` as RocketMQ's SelectorParser does; throws Sql92SyntaxError when it would refuse it. */
export function compileSql92(expression: string): Sql92Filter {
  const ast = parseSql92(expression);
  const test = compileBoolean(ast);
  return {
    source: expression,
    ast,
    evaluate(properties) {
      const get = typeof properties === 'function' ? properties : (name: string) => properties.get(name);
      try {
        return test(get) === true;
      } catch (e) {
        // The broker catches what an evaluation throws and does not deliver the message.
        if (e instanceof EvaluationAbort) return false;
        throw e;
      }
    },
  };
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function printDouble(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Prints an expression back as text that parses to the same tree (every compound is parenthesised). */
export function printSql92(e: Sql92Expr): string {
  switch (e.kind) {
    case 'property':
      return e.name;
    case 'string':
      return quote(e.value);
    case 'int':
      return String(e.value);
    case 'long':
      return `${e.value}L`;
    case 'double':
      return printDouble(e.value);
    case 'boolean':
      return e.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'negate':
      return `(- ${printSql92(e.operand)})`;
    case 'not':
      return `(NOT ${printSql92(e.operand)})`;
    case 'and':
    case 'or':
      return `(${printSql92(e.left)} ${e.kind.toUpperCase()} ${printSql92(e.right)})`;
    case 'compare':
      return `(${printSql92(e.left)} ${e.op} ${printSql92(e.right)})`;
    case 'between':
      return `(${printSql92(e.value)} ${e.not ? 'NOT ' : ''}BETWEEN ${printSql92(e.low)} AND ${printSql92(e.high)})`;
    case 'in':
      return `(${e.property} ${e.not ? 'NOT ' : ''}IN (${e.values.map(quote).join(', ')}))`;
    case 'isNull':
      return `(${printSql92(e.operand)} IS ${e.not ? 'NOT ' : ''}NULL)`;
  }
}
