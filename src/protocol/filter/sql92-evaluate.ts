import type { Sql92Expr } from './sql92-parser.js';

/** A java.lang.Integer (a Long is a bigint, a Double a number, a String a string, a Boolean a boolean). */
export class JavaInt {
  constructor(readonly value: number) {}
}

/** The values RocketMQ's expressions pass around; null is SQL's unknown. */
export type JavaValue = null | string | boolean | number | bigint | JavaInt;

export type PropertyLookup = (name: string) => string | undefined;
type Evaluator = (get: PropertyLookup) => JavaValue;
type BoolEvaluator = (get: PropertyLookup) => boolean | null;

/** Thrown where RocketMQ's evaluation throws (a number that does not parse, a boolean against a string). */
export class EvaluationAbort extends Error {
  override readonly name = 'EvaluationAbort';
}

/** One shared instance: messages whose properties do not parse are common, and a stack trace is costly. */
export const EVALUATION_ABORT = new EvaluationAbort(
  'the evaluation failed as RocketMQ evaluation would throw',
);

const INT = /^[+-]?[0-9]+$/;
const DOUBLE = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;
const JAVA_TRIM = /^[\0- ]+|[\0- ]+$/g;

/** Integer.valueOf(String) */
function parseInteger(s: string): JavaInt {
  if (INT.test(s)) {
    const n = Number(s);
    if (n >= -0x80000000 && n <= 0x7fffffff) return new JavaInt(n);
  }
  throw EVALUATION_ABORT;
}

/** Long.valueOf(String) */
function parseLong(s: string): bigint {
  if (INT.test(s)) {
    const n = BigInt(s);
    if (BigInt.asIntN(64, n) === n) return n;
  }
  throw EVALUATION_ABORT;
}

/** Double.valueOf(String), without Java's hexadecimal floating-point form. */
export function parseDouble(s: string): number {
  const t = s.replace(JAVA_TRIM, '');
  if (!DOUBLE.test(t)) throw EVALUATION_ABORT;
  return Number(/[fFdD]$/.test(t) ? t.slice(0, -1) : t);
}

/** Double.compare: -0.0 below 0.0, NaN above everything and equal to itself. */
function compareDouble(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b)
    return a === 0 ? (Object.is(a, -0) ? (Object.is(b, -0) ? 0 : -1) : Object.is(b, -0) ? 1 : 0) : 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

const sign = (a: number | bigint | string | boolean, b: typeof a): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * ComparisonExpression.__compare with string conversion on: values of different types are converted towards the
 * other's type; a string that does not parse aborts the evaluation, unrelated types compare as -1.
 */
export function compareJava(lv: NonNullable<JavaValue>, rv: NonNullable<JavaValue>): number {
  if (typeof lv === 'string') {
    if (typeof rv === 'string') return sign(lv, rv);
    if (typeof rv === 'boolean') return sign(lv.toLowerCase() === 'true', rv);
    if (typeof rv === 'number') return compareDouble(parseDouble(lv), rv);
    if (typeof rv === 'bigint') return sign(parseLong(lv), rv);
    return sign(parseInteger(lv).value, rv.value);
  }
  if (typeof lv === 'boolean') {
    if (typeof rv === 'boolean') return sign(lv, rv);
    // Boolean.valueOf((String) lv) on a Boolean: Java's ClassCastException.
    if (typeof rv === 'string') throw EVALUATION_ABORT;
    return -1;
  }
  if (typeof lv === 'number') {
    if (typeof rv === 'number') return compareDouble(lv, rv);
    if (typeof rv === 'string') return compareDouble(lv, parseDouble(rv));
    if (typeof rv === 'boolean') return -1;
    return compareDouble(lv, typeof rv === 'bigint' ? Number(rv) : rv.value);
  }
  if (typeof lv === 'bigint') {
    if (typeof rv === 'bigint') return sign(lv, rv);
    if (typeof rv === 'string') return sign(lv, parseLong(rv));
    if (typeof rv === 'boolean') return -1;
    if (typeof rv === 'number') return compareDouble(Number(lv), rv);
    return sign(lv, BigInt(rv.value));
  }
  if (rv instanceof JavaInt) return sign(lv.value, rv.value);
  if (typeof rv === 'string') return sign(lv.value, parseInteger(rv).value);
  if (typeof rv === 'boolean') return -1;
  if (typeof rv === 'number') return compareDouble(lv.value, rv);
  return sign(BigInt(lv.value), rv);
}

/** Object.equals between two Java values of any types. */
function javaEquals(lv: NonNullable<JavaValue>, rv: NonNullable<JavaValue>): boolean {
  if (lv instanceof JavaInt) return rv instanceof JavaInt && lv.value === rv.value;
  return typeof lv === typeof rv && Object.is(lv, rv);
}

function negate(v: JavaValue): JavaValue {
  if (typeof v === 'number') return -v;
  if (typeof v === 'bigint') return BigInt.asIntN(64, -v);
  if (v instanceof JavaInt) return new JavaInt(-v.value | 0);
  return null;
}

type Ordering = '>' | '>=' | '<' | '<=';

function ordering(op: Ordering, left: Evaluator, right: Evaluator): BoolEvaluator {
  const test =
    op === '>'
      ? (c: number) => c > 0
      : op === '>='
        ? (c: number) => c >= 0
        : op === '<'
          ? (c: number) => c < 0
          : (c: number) => c <= 0;
  return (get) => {
    const lv = left(get);
    if (lv === null) return null;
    const rv = right(get);
    if (rv === null) return null;
    // Two strings are compared as doubles, never as text.
    if (typeof lv === 'string' && typeof rv === 'string') {
      return test(compareDouble(parseDouble(lv), parseDouble(rv)));
    }
    return test(compareJava(lv, rv));
  };
}

function equal(left: Evaluator, right: Evaluator): BoolEvaluator {
  return (get) => {
    const lv = left(get);
    const rv = right(get);
    if (lv === null) return rv === null ? true : null;
    if (rv === null) return false;
    return javaEquals(lv, rv) || compareJava(lv, rv) === 0;
  };
}

const not =
  (operand: BoolEvaluator): BoolEvaluator =>
  (get) => {
    const v = operand(get);
    return v === null ? null : !v;
  };

const and =
  (left: BoolEvaluator, right: BoolEvaluator): BoolEvaluator =>
  (get) => {
    const lv = left(get);
    if (lv === false) return false;
    const rv = right(get);
    if (rv === false) return false;
    return lv === null || rv === null ? null : true;
  };

const or =
  (left: BoolEvaluator, right: BoolEvaluator): BoolEvaluator =>
  (get) => {
    const lv = left(get);
    if (lv === true) return true;
    const rv = right(get);
    if (rv === true) return true;
    return lv === null || rv === null ? null : false;
  };

/** The Java value of a literal (null for anything else). */
export function constantValue(e: Sql92Expr): JavaValue {
  if (e.kind === 'int') return new JavaInt(e.value);
  if (e.kind === 'string' || e.kind === 'double' || e.kind === 'boolean' || e.kind === 'long') return e.value;
  return null;
}

/** Compiles a value-position expression once into a closure. */
function compileValue(e: Sql92Expr): Evaluator {
  switch (e.kind) {
    case 'property': {
      const name = e.name;
      return (get) => get(name) ?? null;
    }
    case 'string':
    case 'int':
    case 'long':
    case 'double':
    case 'boolean':
    case 'null': {
      const value = constantValue(e);
      return () => value;
    }
    case 'negate': {
      const operand = compileValue(e.operand);
      return (get) => negate(operand(get));
    }
    case 'not':
    case 'and':
    case 'or':
    case 'compare':
    case 'between':
    case 'in':
    case 'isNull':
      return compileBoolean(e);
  }
}

/**
 * Compiles a boolean-position expression (what RocketMQ wraps with asBooleanExpression): a property there is
 * cast — TRUE or FALSE only if it held a Boolean, which message properties never do.
 */
export function compileBoolean(e: Sql92Expr): BoolEvaluator {
  switch (e.kind) {
    case 'property': {
      const name = e.name;
      return (get) => (get(name) === undefined ? null : false);
    }
    case 'boolean': {
      const value = e.value;
      return () => value;
    }
    case 'null':
      return () => null;
    case 'not':
      return not(compileBoolean(e.operand));
    case 'and':
      return and(compileBoolean(e.left), compileBoolean(e.right));
    case 'or':
      return or(compileBoolean(e.left), compileBoolean(e.right));
    case 'compare': {
      const left = compileValue(e.left);
      const right = compileValue(e.right);
      if (e.op === '=') return equal(left, right);
      if (e.op === '<>') return not(equal(left, right));
      return ordering(e.op, left, right);
    }
    case 'between': {
      const value = compileValue(e.value);
      const low = compileValue(e.low);
      const high = compileValue(e.high);
      return e.not
        ? or(ordering('<', value, low), ordering('>', value, high))
        : and(ordering('>=', value, low), ordering('<=', value, high));
    }
    case 'in': {
      const { property, not: negated } = e;
      const values = new Set(e.values);
      return (get) => {
        const v = get(property);
        return v === undefined ? null : values.has(v) !== negated;
      };
    }
    case 'isNull': {
      const operand = compileValue(e.operand);
      const negated = e.not;
      return (get) => (operand(get) === null) !== negated;
    }
    case 'string':
    case 'int':
    case 'long':
    case 'double':
    case 'negate': {
      // The parser refuses these in boolean positions; RocketMQ's cast makes any non-Boolean FALSE.
      const value = compileValue(e);
      return (get) => {
        const v = value(get);
        return v === null ? null : typeof v === 'boolean' ? v : false;
      };
    }
  }
}
