import { describe, expect, it } from 'vitest';
import { ackOnSuccess } from '../../../src/operators/ack-on-success.js';
import { MessageFactory, acked, retried } from '../../../src/testing/message-factory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

describe('ackOnSuccess', () => {
  it('acks each message when its handler completes, one at a time by default', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const messages = f.messages('a', 'b');
      const handlers = { a: cold('--|'), b: cold('--|') };
      const source = cold('-a-b|', messages);
      const settled$ = source.pipe(ackOnSuccess((m) => handlers[m.msgId as 'a' | 'b']));
      expectObservable(settled$).toBe('---x-(y|)', {
        x: { outcome: 'ack', message: messages.a },
        y: { outcome: 'ack', message: messages.b },
      });
      expectObservable(f.settlements$).toBe('---a-b', { a: acked('a'), b: acked('b') });
      expectSubscriptions(handlers.a.subscriptions).toBe('-^-!');
      expectSubscriptions(handlers.b.subscriptions).toBe('---^-!');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('retries a message whose handler errors, logs it, and goes on with the next', () => {
    const logger = recordingLogger();
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const messages = f.messages('a', 'b');
      const failure = new Error('boom');
      const handlers = { a: cold('-#', undefined, failure), b: cold('-|') };
      const settled$ = cold('a-b|', messages).pipe(
        ackOnSuccess((m) => handlers[m.msgId as 'a' | 'b'], { logger }),
      );
      expectObservable(settled$).toBe('-x-(y|)', {
        x: { outcome: 'retry', message: messages.a, error: failure },
        y: { outcome: 'ack', message: messages.b },
      });
      expectObservable(f.settlements$).toBe('-r-a', { r: retried('a'), a: acked('b') });
    });
    expect(logger.lines.map((l) => [l.level, (l.fields as { msgId: string }).msgId])).toEqual([
      ['warn', 'a'],
    ]);
  });

  it('runs up to `concurrency` handlers at once', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const handlers = { a: cold('----|'), b: cold('-|'), c: cold('-|') };
      const source = cold('abc|', f.messages('a', 'b', 'c'));
      source.pipe(ackOnSuccess((m) => handlers[m.msgId as 'a' | 'b' | 'c'], { concurrency: 2 })).subscribe();
      // b finishes first, c takes its slot, a is still running
      expectObservable(f.settlements$).toBe('--bca', { a: acked('a'), b: acked('b'), c: acked('c') });
    });
  });

  it('passes a source error on and stops the running handler, leaving its message unsettled', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const f = new MessageFactory();
      const handler = cold('-----|');
      const settled$ = cold('a-#', f.messages('a')).pipe(ackOnSuccess(() => handler));
      expectObservable(settled$).toBe('--#');
      expectSubscriptions(handler.subscriptions).toBe('^-!');
      flush();
      expect(f.settlements).toEqual([]);
    });
  });

  it('completes only after the last handler settled its message', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const messages = f.messages('a');
      const settled$ = cold('a|', messages).pipe(ackOnSuccess(() => cold('----|')));
      expectObservable(settled$).toBe('----(x|)', { x: { outcome: 'ack', message: messages.a } });
    });
  });

  it('tears the handler down on unsubscribe and settles nothing', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const f = new MessageFactory();
      const handler = cold('-----|');
      const source = cold('a----', f.messages('a'));
      expectObservable(source.pipe(ackOnSuccess(() => handler)), '^--!').toBe('---');
      expectSubscriptions(handler.subscriptions).toBe('^--!');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      flush();
      expect(f.settlements).toEqual([]);
    });
  });

  it('retries a failing handler with backoff before acking', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      let attempts = 0;
      const failing = cold('-#');
      const ok = cold('-|');
      const settled$ = cold('a|', f.messages('a')).pipe(
        ackOnSuccess(() => (++attempts < 3 ? failing : ok), {
          backoff: { initialDelayMs: 2, factor: 2 },
        }),
      );
      // attempt 1: 0-1, wait 2, attempt 2: 3-4, wait 4, attempt 3: 8-9
      expectObservable(f.settlements$).toBe('---------a', { a: acked('a') });
      expectSubscriptions(failing.subscriptions).toBe(['^!', '---^!']);
      expectSubscriptions(ok.subscriptions).toBe('--------^!');
      settled$.subscribe();
    });
  });
});
