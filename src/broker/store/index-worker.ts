/**
 * The index thread's entry: one thread per process, holding an IndexSession for each open store and
 * routing the stores' requests (index-protocol.ts) to them.
 */
import { parentPort } from 'node:worker_threads';
import type { IndexReply, IndexRequest, IndexSessionReply } from './index-protocol.js';
import { IndexSession } from './index-session.js';

const port = parentPort;
if (port === null) throw new Error('index-worker.ts runs as a worker thread');
const sessions = new Map<number, IndexSession>();

const replyTo =
  (session: number) =>
  (reply: IndexSessionReply): void => {
    port.postMessage({ ...reply, session } satisfies IndexReply);
  };

port.on('message', (request: IndexRequest) => {
  const reply = replyTo(request.session);
  if (request.op === 'open') {
    IndexSession.open(request.files, reply).then(
      (session) => {
        sessions.set(request.session, session);
        reply({ kind: 'done', id: request.id, flushedTimestamp: 0 });
      },
      (error: unknown) => {
        reply({
          kind: 'error',
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
    return;
  }
  const session = sessions.get(request.session);
  if (session === undefined) {
    if ('id' in request) reply({ kind: 'error', id: request.id, error: 'no such index session' });
    return;
  }
  const handled = session.handle(request);
  if (request.op === 'close') void handled.then(() => sessions.delete(request.session));
});
