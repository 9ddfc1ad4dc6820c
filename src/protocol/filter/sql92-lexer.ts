import { RxRocketError } from '../../errors.js';

/**
 * A SQL92 filter expression that RocketMQ's SelectorParser would reject. `position` is the 0-based offset into
 * the source text, `expected` what the parser would have accepted there (empty for checks on types).
 */
export class Sql92SyntaxError extends RxRocketError {
  override readonly name = 'Sql92SyntaxError';
  constructor(
    readonly position: number,
    readonly expected: readonly string[],
    detail: string,
  ) {
    super('ERR_SQL92_SYNTAX', `Invalid SQL92 filter at ${position}: ${detail}`);
  }
}

export type Keyword = 'NOT' | 'AND' | 'OR' | 'BETWEEN' | 'IN' | 'TRUE' | 'FALSE' | 'NULL' | 'IS';
export type Punct = '=' | '<>' | '>' | '>=' | '<' | '<=' | '(' | ')' | ',' | '+' | '-';

export type Token =
  | { readonly kind: 'keyword'; readonly word: Keyword; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: Punct; readonly pos: number }
  | { readonly kind: 'id'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'decimal'; readonly text: string; readonly pos: number }
  | { readonly kind: 'float'; readonly text: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly pos: number };

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'NOT',
  'AND',
  'OR',
  'BETWEEN',
  'IN',
  'TRUE',
  'FALSE',
  'NULL',
  'IS',
]);

// The token shapes of SelectorParser.jj (case-insensitive): identifiers are ASCII letters, digits, '_' and '$'.
const ID = /[a-z_$][a-z0-9_$]*/iy;
const DECIMAL = /0|[1-9][0-9]*l?/iy;
const FLOAT = /[0-9]+\.[0-9]*(?:e[+-]?[0-9]+)?|\.[0-9]+(?:e[+-]?[0-9]+)?|[0-9]+e[+-]?[0-9]+/iy;
const LINE_COMMENT = /--[^\n\r]*(?:\r\n|\n|\r)/y;
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//y;
const WHITESPACE = ' \t\n\r\f';
const PUNCT2: readonly Punct[] = ['<>', '>=', '<='];
const PUNCT1 = '=><(),+-';

const matchAt = (re: RegExp, text: string, pos: number): string | undefined => {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
};

/** Splits the whole text into tokens (longest match, keywords before identifiers), ending with 'eof'. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const c = text.charAt(pos);
    if (WHITESPACE.includes(c)) {
      pos++;
      continue;
    }
    const comment = matchAt(LINE_COMMENT, text, pos) ?? matchAt(BLOCK_COMMENT, text, pos);
    if (comment !== undefined) {
      pos += comment.length;
      continue;
    }
    if (c === "'") {
      pos = readString(text, pos, tokens);
      continue;
    }
    const id = matchAt(ID, text, pos);
    if (id !== undefined) {
      const upper = id.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: 'keyword', word: upper as Keyword, pos }
          : { kind: 'id', text: id, pos },
      );
      pos += id.length;
      continue;
    }
    const decimal = matchAt(DECIMAL, text, pos) ?? '';
    const float = matchAt(FLOAT, text, pos) ?? '';
    if (decimal.length > 0 || float.length > 0) {
      tokens.push(
        float.length > decimal.length
          ? { kind: 'float', text: float, pos }
          : { kind: 'decimal', text: decimal, pos },
      );
      pos += Math.max(decimal.length, float.length);
      continue;
    }
    const two = PUNCT2.find((p) => text.startsWith(p, pos));
    if (two !== undefined || PUNCT1.includes(c)) {
      const punct = two ?? (c as Punct);
      tokens.push({ kind: 'punct', text: punct, pos });
      pos += punct.length;
      continue;
    }
    throw new Sql92SyntaxError(pos, [], `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: 'eof', pos });
  return tokens;
}

/** A quoted string where '' stands for one quote; returns the position after the closing quote. */
function readString(text: string, start: number, tokens: Token[]): number {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = text.indexOf("'", pos);
    if (quote < 0) throw new Sql92SyntaxError(start, ["'"], 'unterminated string literal');
    value += text.slice(pos, quote);
    if (text.charAt(quote + 1) === "'") {
      value += "'";
      pos = quote + 2;
    } else {
      tokens.push({ kind: 'string', value, pos: start });
      return quote + 1;
    }
  }
}

export const describeToken = (t: Token): string => {
  switch (t.kind) {
    case 'keyword':
      return t.word;
    case 'punct':
    case 'id':
    case 'decimal':
    case 'float':
      return `'${t.text}'`;
    case 'string':
      return 'a string literal';
    case 'eof':
      return 'the end of the expression';
  }
};
