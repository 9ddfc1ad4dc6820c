import { describeToken, Sql92SyntaxError, tokenize } from './sql92-lexer.js';
import type { Keyword, Punct, Token } from './sql92-lexer.js';
import { compareJava, constantValue } from './sql92-evaluate.js';
import { decimalLiteral, floatLiteral } from './sql92-literal.js';
import { asBoolean, checkEquatable, checkOrderable, isConstant } from './sql92-type-checks.js';

export type Sql92CompareOp = '=' | '<>' | '>' | '>=' | '<' | '<=';

/**
 * The parsed expression, as RocketMQ builds it but without its desugaring (BETWEEN, <>, IS NOT NULL are kept).
 * Literals carry Java's types: a DECIMAL within int range is an Integer, else a Long; a float is a Double.
 */
export type Sql92Expr =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'long'; readonly value: bigint }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'negate'; readonly operand: Sql92Expr }
  | { readonly kind: 'not'; readonly operand: Sql92Expr }
  | { readonly kind: 'and' | 'or'; readonly left: Sql92Expr; readonly right: Sql92Expr }
  | {
      readonly kind: 'compare';
      readonly op: Sql92CompareOp;
      readonly left: Sql92Expr;
      readonly right: Sql92Expr;
    }
  | {
      readonly kind: 'between';
      readonly not: boolean;
      readonly value: Sql92Expr;
      readonly low: Sql92Expr;
      readonly high: Sql92Expr;
    }
  | {
      readonly kind: 'in';
      readonly not: boolean;
      readonly property: string;
      readonly values: readonly string[];
    }
  | { readonly kind: 'isNull'; readonly not: boolean; readonly operand: Sql92Expr };

/** Parses a SQL92 filter with SelectorParser.jj's grammar and the checks RocketMQ makes while building it. */
export function parseSql92(text: string): Sql92Expr {
  const parser = new Parser(tokenize(text));
  const expr = parser.or();
  parser.expectEnd();
  return asBoolean(expr, 0);
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private isKeyword(word: Keyword, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'keyword' && t.word === word;
  }

  private isPunct(text: Punct): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private fail(expected: readonly string[]): never {
    const t = this.peek();
    throw new Sql92SyntaxError(
      t.pos,
      expected,
      `expected ${expected.join(' or ')}, found ${describeToken(t)}`,
    );
  }

  private expectKeyword(word: Keyword): void {
    if (!this.isKeyword(word)) this.fail([word]);
    this.index++;
  }

  private expectPunct(text: Punct): void {
    if (!this.isPunct(text)) this.fail([`'${text}'`]);
    this.index++;
  }

  private expectString(): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(['a string literal']);
    this.index++;
    return t.value;
  }

  expectEnd(): void {
    if (this.peek().kind !== 'eof') this.fail(['AND', 'OR', 'the end of the expression']);
  }

  or(): Sql92Expr {
    let left = this.and();
    while (this.isKeyword('OR')) {
      const pos = this.peek().pos;
      this.index++;
      const right = this.and();
      left = { kind: 'or', left: asBoolean(left, pos), right: asBoolean(right, pos) };
    }
    return left;
  }

  private and(): Sql92Expr {
    let left = this.equality();
    while (this.isKeyword('AND')) {
      const pos = this.peek().pos;
      this.index++;
      const right = this.equality();
      left = { kind: 'and', left: asBoolean(left, pos), right: asBoolean(right, pos) };
    }
    return left;
  }

  private equality(): Sql92Expr {
    let left = this.comparison();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && (t.text === '=' || t.text === '<>')) {
        this.index++;
        const right = this.comparison();
        checkEquatable(left, right, t.pos);
        left = { kind: 'compare', op: t.text, left, right };
      } else if (this.isKeyword('IS')) {
        this.index++;
        const not = this.isKeyword('NOT');
        if (not) this.index++;
        if (!this.isKeyword('NULL')) this.fail(not ? ['NULL'] : ['NOT', 'NULL']);
        this.index++;
        left = { kind: 'isNull', not, operand: left };
      } else {
        return left;
      }
    }
  }

  private comparison(): Sql92Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && (t.text === '>' || t.text === '>=' || t.text === '<' || t.text === '<=')) {
        this.index++;
        const right = this.unary();
        checkOrderable(left, t.pos);
        checkOrderable(right, t.pos);
        left = { kind: 'compare', op: t.text, left, right };
        continue;
      }
      const not = this.isKeyword('NOT') && (this.isKeyword('BETWEEN', 1) || this.isKeyword('IN', 1));
      if (not) this.index++;
      if (this.isKeyword('BETWEEN')) {
        left = this.between(left, not);
      } else if (this.isKeyword('IN')) {
        left = this.inList(left, not);
      } else {
        return left;
      }
    }
  }

  private between(value: Sql92Expr, not: boolean): Sql92Expr {
    const pos = this.peek().pos;
    this.index++;
    const low = this.unary();
    this.expectKeyword('AND');
    const high = this.unary();
    if (!not && isConstant(low) && isConstant(high)) {
      const lv = constantValue(low);
      const hv = constantValue(high);
      if (lv === null || hv === null) throw new Sql92SyntaxError(pos, [], 'BETWEEN bounds cannot be NULL');
      let order: number;
      try {
        order = compareJava(hv, lv);
      } catch {
        order = -1;
      }
      if (order < 0) throw new Sql92SyntaxError(pos, [], 'the low bound of BETWEEN is above the high bound');
    }
    for (const e of [value, low, high]) checkOrderable(e, pos);
    return { kind: 'between', not, value, low, high };
  }

  private inList(left: Sql92Expr, not: boolean): Sql92Expr {
    const pos = this.peek().pos;
    this.index++;
    this.expectPunct('(');
    const values = [this.expectString()];
    while (this.isPunct(',')) {
      this.index++;
      values.push(this.expectString());
    }
    this.expectPunct(')');
    if (left.kind !== 'property') throw new Sql92SyntaxError(pos, [], 'IN needs a property on its left');
    return { kind: 'in', not, property: left.name, values };
  }

  private unary(): Sql92Expr {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '+') {
      this.index++;
      return this.unary();
    }
    if (t.kind === 'punct' && t.text === '-') {
      this.index++;
      return { kind: 'negate', operand: this.unary() };
    }
    if (t.kind === 'keyword' && t.word === 'NOT') {
      this.index++;
      return { kind: 'not', operand: asBoolean(this.unary(), t.pos) };
    }
    return this.primary();
  }

  private primary(): Sql92Expr {
    const t = this.peek();
    this.index++;
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value };
      case 'decimal':
        return decimalLiteral(t.text, t.pos);
      case 'float':
        return floatLiteral(t.text, t.pos);
      case 'id':
        return { kind: 'property', name: t.text };
      case 'keyword':
        if (t.word === 'TRUE' || t.word === 'FALSE') return { kind: 'boolean', value: t.word === 'TRUE' };
        if (t.word === 'NULL') return { kind: 'null' };
        break;
      case 'punct':
        if (t.text === '(') {
          const inner = this.or();
          this.expectPunct(')');
          return inner;
        }
        break;
      case 'eof':
        break;
    }
    this.index--;
    return this.fail(['a literal', 'a property name', "'('", "'+'", "'-'", 'NOT']);
  }
}
