import { javaStringHashCode } from '../java-hash.js';

/** A tag subscription as RocketMQ's FilterAPI builds it: '*' (or empty) matches all, else 'A || B'. */
export interface TagSubscription {
  readonly subString: string;
  readonly tagsSet: readonly string[];
  readonly codeSet: readonly number[];
  readonly matchesAll: boolean;
}

export function parseTagExpression(expression: string | undefined): TagSubscription {
  const subString = expression === undefined || expression.trim().length === 0 ? '*' : expression.trim();
  if (subString === '*') return { subString, tagsSet: [], codeSet: [], matchesAll: true };
  const tagsSet = [
    ...new Set(
      subString
        .split('||')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    ),
  ];
  return { subString, tagsSet, codeSet: tagsSet.map(javaStringHashCode), matchesAll: tagsSet.length === 0 };
}

/** Broker side: by the hash in the ConsumeQueue entry (collisions are rechecked by the client). */
export const tagsCodeMatches = (sub: TagSubscription, tagsCode: number): boolean =>
  sub.matchesAll || sub.codeSet.includes(tagsCode);

/** Client side: by the tag string itself. */
export const tagMatches = (sub: TagSubscription, tag: string | undefined): boolean =>
  sub.matchesAll || (tag !== undefined && sub.tagsSet.includes(tag));
