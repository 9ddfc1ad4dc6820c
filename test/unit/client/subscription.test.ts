import { describe, expect, it } from 'vitest';
import { bySql, subscriptionData, toSelector } from '../../../src/client/subscription.js';
import { javaStringHashCode } from '../../../src/protocol/java-hash.js';

describe('subscriptionData', () => {
  it('splits and hashes a tag expression as FilterAPI does', () => {
    expect(subscriptionData('T', toSelector(' TagA || TagB || TagA '), 7)).toEqual({
      classFilterMode: false,
      topic: 'T',
      subString: 'TagA || TagB || TagA',
      tagsSet: ['TagA', 'TagB'],
      codeSet: [javaStringHashCode('TagA'), javaStringHashCode('TagB')],
      subVersion: 7,
      expressionType: 'TAG',
    });
  });

  it('reads no expression, an empty one and "*" as every message', () => {
    for (const expression of [undefined, '', '*'])
      expect(subscriptionData('T', toSelector(expression), 0)).toMatchObject({
        subString: '*',
        tagsSet: [],
        codeSet: [],
        expressionType: 'TAG',
      });
  });

  it('passes an SQL92 condition as it is, for the broker to parse', () => {
    expect(subscriptionData('T', bySql('a > 5'), 1)).toMatchObject({
      subString: 'a > 5',
      tagsSet: [],
      codeSet: [],
      expressionType: 'SQL92',
    });
  });
});
