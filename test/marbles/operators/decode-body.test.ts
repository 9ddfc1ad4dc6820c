import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ContentType } from '../../../src/client/body-codec.js';
import { decodeBody } from '../../../src/operators/decode-body.js';
import { MessageFactory, acked, retried } from '../../../src/testing/message-factory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { newScheduler } from '../../helpers/marble-scheduler.js';

const json = (text: string) => ({ body: Buffer.from(text), properties: { CONTENT_TYPE: ContentType.JSON } });

describe('decodeBody', () => {
  it('decodes CBOR, JSON and text by content type and keeps raw bytes as they are', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const values = {
        c: f.message('c', { body: { n: 1, tags: ['x'] } }),
        j: f.message('j', json('{"ok":true}')),
        t: f.message('t', { body: 'héllo' }),
        b: f.message('b', { body: Uint8Array.of(1, 2) }),
      };
      const decoded$ = cold('cjtb|', values).pipe(
        decodeBody(),
        map((m) => m.value),
      );
      expectObservable(decoded$).toBe('cjtb|', {
        c: { n: 1, tags: ['x'] },
        j: { ok: true },
        t: 'héllo',
        b: Uint8Array.of(1, 2),
      });
    });
  });

  it('decodes as the format asked for, whatever the property says', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const raw = f.message('r', { body: Buffer.from('[1,2]') });
      expectObservable(
        cold('r|', { r: raw }).pipe(
          decodeBody({ as: 'json' }),
          map((m) => m.value),
        ),
      ).toBe('r|', {
        r: [1, 2],
      });
    });
  });

  it("keeps the message reachable: fields, ack() and settled are the original's", () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const decoded$ = cold('a|', f.messages('a')).pipe(
        decodeBody<string>(),
        map((m) => {
          m.ack();
          return `${m.msgId}:${m.value}:${m.topic}:${m.settled}`;
        }),
      );
      expectObservable(decoded$).toBe('x|', { x: 'a:a:TestTopic:true' });
      expectObservable(f.settlements$).toBe('a', { a: acked('a') });
    });
  });

  it('retries and logs a body that does not decode, then goes on', () => {
    const logger = recordingLogger();
    newScheduler().run(({ cold, expectObservable }) => {
      const f = new MessageFactory();
      const values = { x: f.message('x', json('{not json')), y: f.message('y', json('2')) };
      const decoded$ = cold('x-y|', values).pipe(
        decodeBody({ logger }),
        map((m) => m.value),
      );
      expectObservable(decoded$).toBe('--y|', { y: 2 });
      expectObservable(f.settlements$).toBe('r', { r: retried('x') });
    });
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('passes a source error on', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const source = cold('a#', f.messages('a'));
      expectObservable(
        source.pipe(
          decodeBody(),
          map((m) => m.value),
        ),
      ).toBe('a#', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('unsubscribes from the source when unsubscribed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const f = new MessageFactory();
      const source = cold('a---b', f.messages('a', 'b'));
      expectObservable(
        source.pipe(
          decodeBody(),
          map((m) => m.value),
        ),
        '^-!',
      ).toBe('a-', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
});
