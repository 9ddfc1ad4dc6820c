import { NEVER, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ConsumerMessage } from '../../../src/client/consumer-message.js';
import { consumerPipeline$ } from '../../../src/client/consumer-pipeline.js';
import { createOffsetStore } from '../../../src/client/offset-store.js';
import type { PullResult } from '../../../src/client/pull-loop.js';
import type { MessageExt } from '../../../src/protocol/message.js';
import { extAt } from '../../fixtures/client/records.js';

const ext = (queueOffset: number): MessageExt => extAt(queueOffset);

describe('consumerPipeline$', () => {
  it('rebalances, pulls the queues it owns, persists acked offsets every 5 s and once more on unsubscribe', () => {
    const writes: string[] = [];
    const scheduler = new TestScheduler((a, e) => {
      expect(a).toEqual(e);
    });
    scheduler.run(({ cold, hot, expectObservable }) => {
      const seen: ConsumerMessage[] = [];
      const offsets = createOffsetStore(
        {
          read$: () => of(undefined),
          write$: (q, offset) => {
            writes.push(`${scheduler.now()} ${q.queueId}:${offset}`);
            return of(undefined);
          },
        },
        { scheduler },
      );
      let pulls = 0;
      const out$ = consumerPipeline$({
        rebalancePorts: {
          queues$: () =>
            of([
              { topic: 'T', brokerName: 'b', queueId: 0 },
              { topic: 'T', brokerName: 'b', queueId: 1 },
            ]),
          clientIds$: () => of(['me', 'other']),
        },
        rebalance: { group: 'g', topic: 'T', clientId: 'me', scheduler },
        consume: {
          startOffset$: () => of(0),
          pull$: (request) => {
            expect(request.queue.queueId).toBe(0);
            return pulls++ === 0
              ? cold<PullResult<MessageExt>>('-(r|)', {
                  r: {
                    status: 'FOUND',
                    nextBeginOffset: 2,
                    minOffset: 0,
                    maxOffset: 2,
                    messages: [ext(0), ext(1)],
                  },
                })
              : NEVER;
          },
          offsets,
          sendBack$: () => of(undefined),
          scheduler,
        },
      }).pipe(
        map((m) => {
          seen.push(m);
          return m.queueOffset;
        }),
      );
      hot('5ms a').subscribe(() => seen[0]?.ack());
      hot('11s a').subscribe(() => seen[1]?.ack());
      expectObservable(out$, '^ 12s !').toBe('-(ab)', { a: 0, b: 1 });
    });
    expect(writes).toEqual(['10000 0:1', '12001 0:2']);
  });
});
