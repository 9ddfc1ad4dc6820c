import { describe, expect, it } from 'vitest';
import { RequestCode, requestCodeName } from '../../../src/protocol/request-code.js';
import {
  ResponseCode,
  isRetriableResponseCode,
  isStoredNotOkResponseCode,
  responseCodeName,
} from '../../../src/protocol/response-code.js';

describe('code tables', () => {
  it('use RocketMQ numbering without duplicates', () => {
    expect(RequestCode.SEND_MESSAGE_V2).toBe(310);
    expect(RequestCode.GET_ROUTEINFO_BY_TOPIC).toBe(105);
    expect(new Set(Object.values(RequestCode)).size).toBe(Object.values(RequestCode).length);
    expect(new Set(Object.values(ResponseCode)).size).toBe(Object.values(ResponseCode).length);
  });

  it('name codes for logs', () => {
    expect(requestCodeName(34)).toBe('HEART_BEAT');
    expect(requestCodeName(9999)).toBe('UNKNOWN_9999');
    expect(responseCodeName(19)).toBe('PULL_NOT_FOUND');
  });

  it('classify retriable codes as the Java producer does', () => {
    for (const code of [1, 2, 14, 17, 16, 204, 205]) expect(isRetriableResponseCode(code)).toBe(true);
    for (const code of [0, 3, 10, 11, 12, 13, 19]) expect(isRetriableResponseCode(code)).toBe(false);
    expect([10, 11, 12].every(isStoredNotOkResponseCode)).toBe(true);
    expect(isStoredNotOkResponseCode(0)).toBe(false);
  });
});
