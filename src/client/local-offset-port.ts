import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Observable, defer, from, map } from 'rxjs';
import { ProtocolError } from '../errors.js';
import { parseFastJson, stringifyObjectKeyedMap } from '../protocol/fastjson.js';
import type { OffsetStorePort } from './offset-store.js';
import type { MessageQueue } from './queue-selector.js';
import { queueKey } from './rebalance/rebalance.js';

export interface LocalOffsetPortOptions {
  readonly clientId: string;
  readonly group: string;
  /** rocketmq.client.localOffsetStoreDir; default ~/.rocketmq_offsets */
  readonly dir?: string;
}

/** LocalFileOffsetStore's file, so a Java client of the same id and group takes over where we stopped. */
export const localOffsetFile = (o: LocalOffsetPortOptions): string =>
  join(o.dir ?? join(homedir(), '.rocketmq_offsets'), o.clientId, o.group, 'offsets.json');

/**
 * Broadcasting offsets in a local file: `{"offsetTable":{<MessageQueue object as key>:offset}}` in fastjson's
 * object-key syntax. The file is loaded once; every write rewrites it through a temporary file and keeps the
 * previous one as `.bak`, as RocketMQ's MixAll.string2File does, so a crash mid-write leaves a readable copy.
 */
export function createLocalOffsetPort(options: LocalOffsetPortOptions): OffsetStorePort {
  const file = localOffsetFile(options);
  let table: Promise<Map<string, { queue: MessageQueue; offset: number }>> | undefined;
  // writes are chained so that two persists never interleave their renames
  let writing: Promise<void> = Promise.resolve();

  const load = (): Promise<Map<string, { queue: MessageQueue; offset: number }>> =>
    (table ??= readTable(file)
      .catch(() => readTable(`${file}.bak`))
      .catch(() => new Map()));

  return {
    read$: (queue): Observable<number | undefined> =>
      defer(() => from(load())).pipe(map((t) => t.get(queueKey(queue))?.offset)),
    write$: (queue, offset): Observable<void> =>
      defer(() => {
        const done = writing.then(async () => {
          const t = await load();
          t.set(queueKey(queue), { queue, offset });
          await mkdir(join(file, '..'), { recursive: true });
          const text = `{"offsetTable":${stringifyObjectKeyedMap([...t.values()].map((e) => [e.queue, e.offset]))}}`;
          await writeFile(`${file}.tmp`, text);
          await rename(file, `${file}.bak`).catch(() => undefined);
          await rename(`${file}.tmp`, file);
        });
        writing = done.catch(() => undefined);
        return from(done);
      }),
  };
}

async function readTable(path: string): Promise<Map<string, { queue: MessageQueue; offset: number }>> {
  const parsed = parseFastJson(await readFile(path, 'utf8'));
  const offsetTable = (parsed as { offsetTable?: unknown } | null)?.offsetTable;
  if (offsetTable === null || typeof offsetTable !== 'object')
    throw new ProtocolError(`${path} has no offsetTable`);
  const table = new Map<string, { queue: MessageQueue; offset: number }>();
  for (const [key, offset] of Object.entries(offsetTable)) {
    const queue = JSON.parse(key) as Partial<MessageQueue>;
    if (typeof queue.topic !== 'string' || typeof queue.brokerName !== 'string') continue;
    if (typeof queue.queueId !== 'number' || typeof offset !== 'number') continue;
    const mq = { topic: queue.topic, brokerName: queue.brokerName, queueId: queue.queueId };
    table.set(queueKey(mq), { queue: mq, offset });
  }
  return table;
}
