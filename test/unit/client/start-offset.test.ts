import { firstValueFrom, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { MessageQueue } from '../../../src/client/queue-selector.js';
import {
  type ConsumeFromWhere,
  type StartOffsetPorts,
  startOffset$,
} from '../../../src/client/start-offset.js';

const topicQueue: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 0 };
const retryQueue: MessageQueue = { topic: '%RETRY%g', brokerName: 'b', queueId: 0 };

const ports = (stored: number | undefined, asked: string[] = []): StartOffsetPorts => ({
  stored$: () => of(stored),
  maxOffset$: () => {
    asked.push('max');
    return of(100);
  },
  searchOffset$: (_q, timestamp) => {
    asked.push(`search@${timestamp}`);
    return of(50);
  },
});

const start = (queue: MessageQueue, where: ConsumeFromWhere, p: StartOffsetPorts): Promise<number> =>
  firstValueFrom(startOffset$(queue, where, 1234, p));

describe('startOffset$', () => {
  it('starts from the stored offset whatever ConsumeFromWhere says', async () => {
    for (const where of [
      'CONSUME_FROM_LAST_OFFSET',
      'CONSUME_FROM_FIRST_OFFSET',
      'CONSUME_FROM_TIMESTAMP',
    ] as const) {
      const asked: string[] = [];
      expect(await start(topicQueue, where, ports(7, asked))).toBe(7);
      expect(asked).toEqual([]);
    }
    expect(await start(topicQueue, 'CONSUME_FROM_LAST_OFFSET', ports(0))).toBe(0);
  });

  it('without a stored offset: LAST is the max offset, FIRST is 0, TIMESTAMP searches by time', async () => {
    const asked: string[] = [];
    expect(await start(topicQueue, 'CONSUME_FROM_LAST_OFFSET', ports(undefined, asked))).toBe(100);
    expect(await start(topicQueue, 'CONSUME_FROM_FIRST_OFFSET', ports(undefined, asked))).toBe(0);
    expect(await start(topicQueue, 'CONSUME_FROM_TIMESTAMP', ports(undefined, asked))).toBe(50);
    expect(asked).toEqual(['max', 'search@1234']);
  });

  it('treats a negative stored offset as none', async () => {
    expect(await start(topicQueue, 'CONSUME_FROM_FIRST_OFFSET', ports(-1))).toBe(0);
  });

  it('on a retry topic: LAST starts at 0, TIMESTAMP at the max offset', async () => {
    expect(await start(retryQueue, 'CONSUME_FROM_LAST_OFFSET', ports(undefined))).toBe(0);
    expect(await start(retryQueue, 'CONSUME_FROM_TIMESTAMP', ports(undefined))).toBe(100);
  });

  it('passes a failed lookup on, so the queue is retried at the next rebalance', async () => {
    const failing: StartOffsetPorts = {
      ...ports(undefined),
      stored$: () => throwError(() => new Error('down')),
    };
    await expect(start(topicQueue, 'CONSUME_FROM_LAST_OFFSET', failing)).rejects.toThrow('down');
  });
});
