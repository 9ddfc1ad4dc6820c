import { parseTagExpression } from '../protocol/filter/tag.js';
import type { SubscriptionData } from '../protocol/headers/client.js';

/** RocketMQ's MessageSelector: which messages of a topic a subscription wants. */
export interface MessageSelector {
  readonly type: 'TAG' | 'SQL92';
  /** `*`, `TagA || TagB`, or an SQL92 condition on message properties (`a > 5 AND color = 'red'`). */
  readonly expression: string;
}

/** A tag expression, as a plain string passed to messages$ is read. */
export const byTag = (expression = '*'): MessageSelector => ({ type: 'TAG', expression });

/** An SQL92 condition; the broker must run with enablePropertyFilter=true. */
export const bySql = (expression: string): MessageSelector => ({ type: 'SQL92', expression });

export const toSelector = (expression: string | MessageSelector | undefined): MessageSelector =>
  expression === undefined ? byTag() : typeof expression === 'string' ? byTag(expression) : expression;

/**
 * The SubscriptionData a heartbeat and every pull carry (FilterAPI.build): tags split and hashed for TAG, the
 * expression as it is for SQL92 (the broker parses it). `subVersion` is when the subscription was made.
 */
export function subscriptionData(
  topic: string,
  selector: MessageSelector,
  subVersion: number,
): SubscriptionData {
  if (selector.type === 'SQL92') {
    return {
      classFilterMode: false,
      topic,
      subString: selector.expression,
      tagsSet: [],
      codeSet: [],
      subVersion,
      expressionType: 'SQL92',
    };
  }
  const tags = parseTagExpression(selector.expression);
  return {
    classFilterMode: false,
    topic,
    subString: tags.subString,
    tagsSet: tags.tagsSet,
    codeSet: tags.codeSet,
    subVersion,
    expressionType: 'TAG',
  };
}
