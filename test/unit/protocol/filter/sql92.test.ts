import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RxRocketError } from '../../../../src/errors.js';
import {
  compileSql92,
  parseSql92,
  printSql92,
  Sql92SyntaxError,
} from '../../../../src/protocol/filter/sql92.js';
import type { Sql92Expr } from '../../../../src/protocol/filter/sql92.js';

const props = (o: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(o));
const matches = (expression: string, o: Record<string, string>): boolean =>
  compileSql92(expression).evaluate(props(o));

const syntaxError = (expression: string): Sql92SyntaxError => {
  try {
    compileSql92(expression);
  } catch (e) {
    if (e instanceof Sql92SyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${expression}`);
};

describe('SQL92 filter: RocketMQ ExpressionTest cases', () => {
  it('AND, OR of numeric comparisons on string properties', () => {
    const andExpr = 'a>2 AND b<>(-5) AND (c > 5 OR d < 2)';
    expect(matches(andExpr, { a: '3', b: '5', c: '6', d: '1' })).toBe(true);
    expect(matches(andExpr, { a: '2', b: '5', c: '6', d: '1' })).toBe(false);
    const orExpr = 'a=3 OR b=5 OR c>5 OR d<=5';
    expect(matches(orExpr, { a: '3' })).toBe(true);
    expect(matches(orExpr, { a: '4', b: '5' })).toBe(true);
    expect(matches(orExpr, { a: '4', b: '4', c: '6' })).toBe(true);
    expect(matches(orExpr, { a: '4', b: '4', c: '3', d: '2' })).toBe(true);
    expect(matches(orExpr, { a: '4', b: '4', c: '3', d: '10' })).toBe(false);
  });

  it('IN, NOT IN, BETWEEN, NOT BETWEEN', () => {
    for (const a of ['3', '4', '5']) expect(matches("a in ('3', '4', '5')", { a })).toBe(true);
    expect(matches("a in ('3', '4', '5')", { a: '8' })).toBe(false);
    expect(matches("a not in ('3', '4', '5')", { a: '8' })).toBe(true);
    expect(matches("a not in ('3', '4', '5')", { a: '4' })).toBe(false);
    expect(matches("a not in ('3', '4', '5')", {})).toBe(false);
    for (const a of ['2', '10', '3']) expect(matches('a between 2 and 10', { a })).toBe(true);
    for (const a of ['1', '11']) expect(matches('a between 2 and 10', { a })).toBe(false);
    for (const a of ['1', '11']) expect(matches('a not between 2 and 10', { a })).toBe(true);
    for (const a of ['2', '10', '3']) expect(matches('a not between 2 and 10', { a })).toBe(false);
  });

  it('IS NULL, IS NOT NULL, and unknown when a property is missing', () => {
    expect(matches('a is null', { abc: '2' })).toBe(true);
    expect(matches('a is null', { a: '2' })).toBe(false);
    expect(matches('a is not null', { a: '2' })).toBe(true);
    expect(matches('a is not null', { abc: '2' })).toBe(false);
    expect(matches("a is null OR a='hello'", {})).toBe(true);
    expect(matches("a is null OR a='hello'", { a: 'hello' })).toBe(true);
    expect(matches("a is null OR a='hello'", { a: 'abc' })).toBe(false);
    expect(matches("a is not null and a='hello'", { a: 'hello' })).toBe(true);
    expect(matches("a is not null and a='hello'", {})).toBe(false);
    // Unknown is not TRUE, and NOT unknown is unknown.
    expect(matches("a = 'x'", {})).toBe(false);
    expect(matches("NOT (a = 'x')", {})).toBe(false);
    expect(matches("a <> 'x'", {})).toBe(false);
    expect(matches('a > 1 OR TRUE', {})).toBe(true);
    expect(matches('a > 1 AND FALSE', {})).toBe(false);
    expect(matches('NOT (a > 1 AND FALSE)', {})).toBe(true);
  });

  it('strings, quotes, booleans, floats and exponents', () => {
    expect(matches("TAGS is not null and TAGS='''''tag'''''", { TAGS: "''tag''" })).toBe(true);
    expect(matches('a=TRUE OR b=FALSE', { a: 'true', b: 'false' })).toBe(true);
    expect(matches('a=TRUE OR b=FALSE', { a: 'false', b: 'true' })).toBe(false);
    expect(matches('a = TRUE', { a: 'TrUe' })).toBe(true);
    expect(matches('a = FALSE', { a: 'anything' })).toBe(true);
    expect(matches('a > 3.1E10', { a: String(3.1415e10) })).toBe(true);
    expect(matches('a > 3.14', { a: '3.1415' })).toBe(true);
    expect(matches('a > b', { a: '10', b: '20' })).toBe(false);
    expect(matches('a > b', { a: '20', b: '10' })).toBe(true);
    expect(matches('a = b', { a: '3.14', b: '3.14' })).toBe(true);
    expect(matches('a <> b', { a: '3.14', b: '3.14' })).toBe(false);
    expect(matches('a <> b', { a: '3.14', b: '3.141' })).toBe(true);
    expect(matches('a = 1.5e0', { a: ' 1.5d ' })).toBe(true);
  });

  it('CONTAINS is not RocketMQ 4.9 grammar (5.1.3 added it): a property may be called contains', () => {
    expect(matches("contains = 'x'", { contains: 'x' })).toBe(true);
    expect(syntaxError("a CONTAINS 'x'").expected).toContain('the end of the expression');
  });

  it('a property that is not a number fails the whole evaluation, as the broker drops the message', () => {
    expect(matches('a between 0 and 100', { a: 'abc' })).toBe(false);
    expect(matches('key is not null and key between 0 and 100', { key: 'con' })).toBe(false);
    expect(matches('a between up and low', { a: '3.14', up: 'up', low: 'low' })).toBe(false);
    // Even where OR would have been TRUE: RocketMQ's evaluation throws, it is not unknown.
    expect(matches("a > 1 OR b = 'x'", { a: 'abc', b: 'x' })).toBe(false);
    expect(matches("b = 'x' OR a > 1", { a: 'abc', b: 'x' })).toBe(true);
    expect(matches('NOT (a > 1)', { a: 'abc' })).toBe(false);
    // An integer literal reads the property as an Integer, a float literal as a Double.
    expect(matches('a > 1', { a: '1.5' })).toBe(false);
    expect(matches('a > 1.0e0', { a: '1.5' })).toBe(true);
    expect(matches('a = 3000000000', { a: '3000000000' })).toBe(true);
    expect(matches('a > 1', { a: '3000000000' })).toBe(false);
    expect(matches('a > 1L', { a: '+2' })).toBe(true);
    // Double.valueOf: NaN sorts above everything, a type suffix only after digits.
    expect(matches('a > 1.0e0', { a: 'NaN' })).toBe(true);
    expect(matches('a > 1.0e0', { a: 'NaNd' })).toBe(false);
    expect(matches('a > 1.0e0', { a: '2f' })).toBe(true);
  });

  it('operands: unary minus, literal comparisons, literals on the left', () => {
    expect(matches('a = -5', { a: '-5' })).toBe(true);
    expect(matches('a > - 2147483648', { a: '0' })).toBe(true);
    expect(matches('- a > 1', { a: '5' })).toBe(false);
    expect(matches('1 < 2', {})).toBe(true);
    expect(matches('2 >= 2.5', {})).toBe(false);
    expect(matches("'x' = a", {})).toBe(false);
    expect(matches("NOT ('x' = a)", {})).toBe(true);
    expect(matches('1 = TRUE', {})).toBe(false);
    expect(matches('(a > 1) = TRUE', { a: '2' })).toBe(true);
    expect(matches('NULL IS NULL', {})).toBe(true);
    expect(matches('a', { a: 'true' })).toBe(false);
    expect(matches('NOT a', { a: 'true' })).toBe(true);
  });

  it('keywords in any case, comments, and the property lookup function', () => {
    expect(matches("a Is NoT nUlL aNd a In ('x') oR FaLsE", { a: 'x' })).toBe(true);
    expect(matches("/* c */ a = 'x' -- to the end\n", { a: 'x' })).toBe(true);
    const filter = compileSql92("$b_1 = 'y'");
    expect(filter.evaluate((name) => (name === '$b_1' ? 'y' : undefined))).toBe(true);
    expect(filter.source).toBe("$b_1 = 'y'");
  });
});

describe('SQL92 filter: malformed expressions', () => {
  it.each([
    ['a >', 3, 'a literal'],
    ['(a = 1', 6, "')'"],
    ["a IN 'x'", 5, "'('"],
    ['a IN (1)', 6, 'a string literal'],
    ['a IS 1', 5, 'NOT'],
    ['a BETWEEN 1 OR 2', 12, 'AND'],
    ["a = 'x' b", 8, 'the end of the expression'],
    ['', 0, 'a literal'],
  ])('%j fails at %i expecting %s', (expression, position, expected) => {
    const e = syntaxError(expression);
    expect(e).toBeInstanceOf(RxRocketError);
    expect(e.code).toBe('ERR_SQL92_SYNTAX');
    expect(e.position).toBe(position);
    expect(e.expected).toContain(expected);
  });

  it.each([
    ["a = 'x", 4],
    ['a.b = 1', 1],
    ['a != 1', 2],
    ['a = 1 /* open', 6],
    ['a = 1 --no newline', 6],
  ])('%j has a lexical error at %i', (expression, position) => {
    expect(syntaxError(expression).position).toBe(position);
  });

  it.each([
    ['1', 'boolean'],
    ["'x' OR a", 'boolean'],
    ['NOT 1', 'boolean'],
    ['a = NULL', 'NULL'],
    ['TRUE = 1', 'boolean literal'],
    ["a > 'x'", 'cannot be compared'],
    ['a > TRUE', 'cannot be compared'],
    ['a > 1 > 2', 'cannot be compared'],
    ['NOT a > 1', 'cannot be compared'],
    ['a BETWEEN 5 AND 1', 'low bound'],
    ["a BETWEEN 'a' AND 'b'", 'cannot be compared'],
    ["1 IN ('1')", 'property'],
    ['a = 9223372036854775808', 'long'],
    ['a > 0.0', 'MIN_VALUE'],
    ['a > 1e999', 'MAX_VALUE'],
  ])('%j is refused while building (%s)', (expression, message) => {
    expect(syntaxError(expression).message).toContain(message);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const NAMES = ['a', 'b', 'c', 'x_1', '$d'] as const;
const text = fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', "'", ' ', '1', '.', 'é') });
const property = fc.constantFrom(...NAMES).map((name): Sql92Expr => ({ kind: 'property', name }));
const intLit = fc.integer({ min: 0, max: 0x7fffffff }).map((value): Sql92Expr => ({ kind: 'int', value }));
const longLit = fc
  .bigInt({ min: 0x80000000n, max: 0x7fffffffffffffffn })
  .map((value): Sql92Expr => ({ kind: 'long', value }));
const doubleLit = fc
  .double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true, max: Number.MAX_VALUE })
  .map((value): Sql92Expr => ({ kind: 'double', value }));
const numericLit = fc.oneof(intLit, longLit, doubleLit);
const stringLit = text.map((value): Sql92Expr => ({ kind: 'string', value }));
const boolLit = fc.boolean().map((value): Sql92Expr => ({ kind: 'boolean', value }));
const numeric: fc.Arbitrary<Sql92Expr> = fc.oneof(
  property,
  numericLit,
  fc.oneof(property, numericLit).map((operand): Sql92Expr => ({ kind: 'negate', operand })),
);
const isLiteral = (e: Sql92Expr) => ['string', 'int', 'long', 'double', 'boolean', 'null'].includes(e.kind);

const { bool } = fc.letrec<{ bool: Sql92Expr; value: Sql92Expr }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, numeric, stringLit, boolLit, tie('bool')),
  bool: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    property,
    boolLit,
    fc
      .record({ op: fc.constantFrom('=' as const, '<>' as const), left: tie('value'), right: tie('value') })
      .filter(({ left, right }) => !(left.kind === 'boolean' && isLiteral(right) && right.kind !== 'boolean'))
      .map((c): Sql92Expr => ({ kind: 'compare', ...c })),
    fc
      .record({
        op: fc.constantFrom('>' as const, '>=' as const, '<' as const, '<=' as const),
        left: numeric,
        right: numeric,
      })
      .map((c): Sql92Expr => ({ kind: 'compare', ...c })),
    fc
      .record({ not: fc.boolean(), value: numeric, low: numeric, high: numeric })
      .filter(({ not, low, high }) => not || !isLiteral(low) || !isLiteral(high))
      .map((c): Sql92Expr => ({ kind: 'between', ...c })),
    fc
      .record({
        not: fc.boolean(),
        property: fc.constantFrom(...NAMES),
        values: fc.array(text, { minLength: 1, maxLength: 3 }),
      })
      .map((c): Sql92Expr => ({ kind: 'in', ...c })),
    fc.record({ not: fc.boolean(), operand: tie('value') }).map((c): Sql92Expr => ({ kind: 'isNull', ...c })),
    tie('bool').map((operand): Sql92Expr => ({ kind: 'not', operand })),
    fc
      .record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('bool'), right: tie('bool') })
      .map((c): Sql92Expr => c),
  ),
}));

const propertyValue = fc.oneof(
  fc.constantFrom('1', '-3', '2.5', '1e3', '3000000000', 'NaN', '-0', 'true', 'TRUE', 'false', '', 'abc'),
  fc.integer().map(String),
  fc.double().map(String),
  text,
);
const fullProperties = fc
  .tuple(...NAMES.map(() => propertyValue))
  .map((values) => new Map<string, string>(NAMES.map((name, i) => [name, values[i] ?? ''])));
const someProperties = fullProperties.chain((all) =>
  fc.subarray([...all.keys()]).map((keys) => new Map(keys.map((k) => [k, all.get(k) ?? '']))),
);

describe('SQL92 filter: properties', () => {
  it('a printed AST parses back to the same AST', () => {
    fc.assert(
      fc.property(bool, (ast) => {
        expect(parseSql92(printSql92(ast))).toEqual(ast);
      }),
      { numRuns: 500 },
    );
  });

  it('random text either compiles or throws Sql92SyntaxError, never anything else', () => {
    const tokens = fc.constantFrom(
      'a',
      'NOT',
      'AND',
      'OR',
      'IN',
      'IS',
      'NULL',
      'BETWEEN',
      'TRUE',
      'FALSE',
      "'s'",
      '1',
      '2.5',
      '1e3',
      '0',
      '(',
      ')',
      ',',
      '=',
      '<>',
      '>',
      '>=',
      '<',
      '<=',
      '-',
      '+',
      ' ',
      '--',
      '/*',
      '*/',
      '\n',
    );
    const input = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(tokens, { maxLength: 12 }).map((t) => t.join(' ')),
    );
    fc.assert(
      fc.property(input, someProperties, (source, properties) => {
        let filter;
        try {
          filter = compileSql92(source);
        } catch (e) {
          expect(e).toBeInstanceOf(Sql92SyntaxError);
          return;
        }
        expect(typeof filter.evaluate(properties)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluation of any valid AST gives a boolean, the same from a Map and from a lookup function', () => {
    fc.assert(
      fc.property(bool, someProperties, (ast, properties) => {
        const filter = compileSql92(printSql92(ast));
        const result = filter.evaluate(properties);
        expect(typeof result).toBe('boolean');
        expect(filter.evaluate((name) => properties.get(name))).toBe(result);
      }),
      { numRuns: 500 },
    );
  });

  it('De Morgan and NOT-pushing hold where no property is missing', () => {
    const pairs = fc.tuple(bool, bool).map(([l, r]) => {
      const [p, q] = [printSql92(l), printSql92(r)];
      return [
        [`NOT (${p} AND ${q})`, `(NOT ${p}) OR (NOT ${q})`],
        [`NOT (${p} OR ${q})`, `(NOT ${p}) AND (NOT ${q})`],
        [`NOT (NOT ${p})`, p],
      ] as const;
    });
    const pushed = fc
      .tuple(
        numeric,
        numeric,
        numeric,
        fc.constantFrom(...NAMES),
        fc.array(text, { minLength: 1, maxLength: 3 }),
      )
      .map(([v, lo, hi, name, values]) => {
        const [x, l, h] = [v, lo, hi].map(printSql92);
        const list = values.map((s) => `'${s.replaceAll("'", "''")}'`).join(', ');
        return [
          [`${x} NOT BETWEEN ${l} AND ${h}`, `NOT (${x} >= ${l}) OR NOT (${x} <= ${h})`],
          [`NOT (${x} < ${l})`, `${x} >= ${l}`],
          [`${x} IS NOT NULL`, `NOT (${x} IS NULL)`],
          [`${name} NOT IN (${list})`, `NOT (${name} IN (${list}))`],
        ] as const;
      });
    fc.assert(
      fc.property(fc.oneof(pairs, pushed), fullProperties, (cases, properties) => {
        for (const [left, right] of cases) {
          expect(compileSql92(left).evaluate(properties), `${left} vs ${right}`).toBe(
            compileSql92(right).evaluate(properties),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});
