import { readFile } from 'node:fs/promises';
import {
  EMPTY,
  type Observable,
  type SchedulerLike,
  catchError,
  defer,
  exhaustMap,
  firstValueFrom,
  ignoreElements,
  timer,
} from 'rxjs';
import { MQBrokerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { parseFastJson } from '../../protocol/fastjson.js';
import { parseTopicConfigSerializeWrapper } from '../../protocol/headers/register-broker-body.js';
import { parseSubscriptionGroupConfig } from '../../protocol/headers/subscription-group.js';
import { createRequest } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { ResponseCode } from '../../protocol/response-code.js';
import type { RemotingClient } from '../../remoting/client.js';
import { writeConfigFileAtomic } from '../managers/config-file.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { SubscriptionGroupManager } from '../managers/subscription-group-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { delayOffsetPath } from './replication-processors.js';

export interface SlaveSyncDeps {
  readonly remoting: Pick<RemotingClient, 'invoke$'>;
  /** The master's broker address now, as the name server told it; undefined = not known yet. */
  readonly masterAddress: () => string | undefined;
  readonly topics: Pick<TopicConfigManager, 'all' | 'upsert' | 'delete'>;
  readonly offsets: Pick<ConsumerOffsetManager, 'replaceAll'>;
  readonly groups: Pick<SubscriptionGroupManager, 'replaceAll'>;
  readonly storePathRootDir: string;
  /** RocketMQ: first after 3 s, then every 10 s. */
  readonly firstDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};

async function fetchBody(deps: SlaveSyncDeps, master: string, code: number): Promise<string> {
  const response = await firstValueFrom(deps.remoting.invoke$(master, createRequest(code), deps.timeoutMs));
  if (response.code !== ResponseCode.SUCCESS) {
    throw new MQBrokerError(response.code, response.remark ?? '', master);
  }
  return Buffer.from(response.body ?? new Uint8Array()).toString('utf8');
}

async function syncTopics(deps: SlaveSyncDeps, body: string): Promise<void> {
  const { topicConfigTable } = parseTopicConfigSerializeWrapper(parseFastJson(body));
  for (const [name, config] of Object.entries(topicConfigTable)) {
    const local = deps.topics.all().get(name);
    if (local === undefined || JSON.stringify(local) !== JSON.stringify(config))
      await deps.topics.upsert(config);
  }
  for (const name of [...deps.topics.all().keys()]) {
    if (!Object.hasOwn(topicConfigTable, name)) await deps.topics.delete(name);
  }
}

function syncOffsets(deps: SlaveSyncDeps, body: string): void {
  const table: Record<string, Record<string, number>> = {};
  for (const [key, queues] of Object.entries(asRecord(asRecord(parseFastJson(body)).offsetTable))) {
    const offsets: Record<string, number> = {};
    for (const [queueId, offset] of Object.entries(asRecord(queues))) {
      if (Number.isSafeInteger(offset)) offsets[queueId] = offset as number;
    }
    table[key] = offsets;
  }
  deps.offsets.replaceAll(table);
}

async function syncDelayOffsets(deps: SlaveSyncDeps, body: string): Promise<void> {
  const path = delayOffsetPath(deps.storePathRootDir);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current !== body) await writeConfigFileAtomic(path, body);
}

async function syncGroups(deps: SlaveSyncDeps, body: string): Promise<void> {
  const table = asRecord(asRecord(parseFastJson(body)).subscriptionGroupTable);
  await deps.groups.replaceAll(
    Object.entries(table).map(([name, config]) =>
      parseSubscriptionGroupConfig(
        { groupName: name, ...asRecord(config) },
        `subscriptionGroupTable.${name}`,
      ),
    ),
  );
}

/** One round of RocketMQ's SlaveSynchronize.syncAll: topics, consumer offsets, delay offsets, groups. */
export async function syncFromMaster(deps: SlaveSyncDeps, master: string): Promise<void> {
  await syncTopics(deps, await fetchBody(deps, master, RequestCode.GET_ALL_TOPIC_CONFIG));
  syncOffsets(deps, await fetchBody(deps, master, RequestCode.GET_ALL_CONSUMER_OFFSET));
  await syncDelayOffsets(deps, await fetchBody(deps, master, RequestCode.GET_ALL_DELAY_OFFSET));
  await syncGroups(deps, await fetchBody(deps, master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
}

/**
 * The slave's metadata copy loop: while the master is unreachable the slave keeps what it has (and the
 * offsets consumers commit to it meanwhile); one warning per outage, one line when it is back.
 */
export function slaveSync$(deps: SlaveSyncDeps): Observable<never> {
  let failing = false;
  return timer(deps.firstDelayMs, deps.periodMs, deps.scheduler).pipe(
    exhaustMap(() =>
      defer(async () => {
        const master = deps.masterAddress();
        if (master === undefined) return;
        await syncFromMaster(deps, master);
        if (failing) deps.logger.info({ master }, 'metadata sync with the master works again');
        failing = false;
      }).pipe(
        catchError((error: unknown) => {
          if (!failing) {
            deps.logger.warn({ error: String(error) }, 'cannot copy metadata from the master; retrying');
          }
          failing = true;
          return EMPTY;
        }),
      ),
    ),
    ignoreElements(),
  );
}
