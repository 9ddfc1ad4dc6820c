/**
 * The transaction check service (RocketMQ's TransactionalMessageCheckService) as a loop: every
 * transactionCheckInterval it reads the half queue from the system group's offset and the op records
 * behind it, lets `planCheck` decide, then renews and asks about, renews, or discards halves and moves the
 * offsets. The offsets are consumer offsets of CID_RMQ_SYS_TRANS, persisted with every other group's, so a
 * restart resumes where the last run stopped.
 */
import { type Observable, type SchedulerLike, EMPTY, catchError, defer } from 'rxjs';
import type { Logger } from '../../logger.js';
import { encodeCheckTransactionStateRequestHeader } from '../../protocol/headers/transaction.js';
import { decodeRecord, encodeRecord } from '../../protocol/message-codec.js';
import type { HostAddress, MessageExt, MessageRecordInput } from '../../protocol/message.js';
import { createOffsetMsgId } from '../../protocol/msg-id.js';
import { MessageProperty } from '../../protocol/properties.js';
import { createRequest } from '../../protocol/remoting-command.js';
import { RequestCode } from '../../protocol/request-code.js';
import { serviceLoop } from '../../operators/service-loop.js';
import type { BrokerConfig } from '../config.js';
import type { ConsumerOffsetManager } from '../managers/consumer-offset-manager.js';
import type { ProducerManager } from '../managers/producer-manager.js';
import type { TopicConfigManager } from '../managers/topic-config-manager.js';
import { Perm, SystemTopic } from '../managers/topic-config.js';
import type { MessageStore, PutOptions, PutResult } from '../store/message-store.js';
import { type CheckPlan, type HalfEntry, type OpEntry, planCheck } from './check-plan.js';
import {
  HALF_QUEUE_ID,
  TRANSACTION_SYSTEM_GROUP,
  checkTimesOf,
  checkedMessageInput,
  discardedInput,
  immunityMsOf,
  opOriginOf,
  originOf,
  realDestinationOf,
  renewedHalfInput,
} from './half-message.js';
import type { TransactionLedger } from './transaction-ledger.js';

export interface TransactionCheckDeps {
  readonly config: Pick<
    BrokerConfig,
    'transactionCheckInterval' | 'transactionTimeOut' | 'transactionCheckMax'
  >;
  readonly storeHost: HostAddress;
  readonly store: Pick<MessageStore, 'getMessage' | 'minOffsetInQueue' | 'maxOffsetInQueue'>;
  readonly put: (inputs: readonly MessageRecordInput[], options: PutOptions) => Promise<PutResult>;
  readonly offsets: Pick<ConsumerOffsetManager, 'queryOffset' | 'commitOffset'>;
  readonly producers: Pick<ProducerManager, 'connections'>;
  readonly topics: Pick<TopicConfigManager, 'ensure'>;
  readonly ledger: TransactionLedger;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
}

export interface CheckRunSummary {
  readonly checked: number;
  readonly discarded: number;
  readonly deferred: number;
  readonly done: number;
  readonly nextHalfOffset: number;
  readonly nextOpOffset: number;
}

/** Halves looked at per run at most; the rest wait for the next run. */
const MAX_HALVES_PER_RUN = 2000;
const READ_BATCH = 32;
const READ_MAX_BYTES = 4 * 1024 * 1024;

export function transactionCheck$(deps: TransactionCheckDeps): Observable<CheckRunSummary> {
  return serviceLoop(
    () =>
      defer(() => checkOnce(deps)).pipe(
        catchError((error: unknown) => {
          deps.logger.error({ error: String(error) }, 'transaction check run failed; retried next interval');
          return EMPTY;
        }),
      ),
    { periodMs: deps.config.transactionCheckInterval, scheduler: deps.scheduler },
  );
}

/** One run: read, plan, act, move the offsets. */
export async function checkOnce(deps: TransactionCheckDeps): Promise<CheckRunSummary> {
  const { store } = deps;
  const halfOffset = progress(deps, SystemTopic.TRANS_HALF);
  const opOffset = progress(deps, SystemTopic.TRANS_OP_HALF);
  const halfMaxOffset = store.maxOffsetInQueue(SystemTopic.TRANS_HALF, HALF_QUEUE_ID);
  const halfEnd = Math.min(halfMaxOffset, halfOffset + MAX_HALVES_PER_RUN);
  const halves = await readQueue(store, SystemTopic.TRANS_HALF, halfOffset, halfEnd);
  const ops = await readQueue(
    store,
    SystemTopic.TRANS_OP_HALF,
    opOffset,
    store.maxOffsetInQueue(SystemTopic.TRANS_OP_HALF, HALF_QUEUE_ID),
  );
  const opEntries = ops.map(toOpEntry);
  for (const op of opEntries) if (op.origin !== undefined) deps.ledger.finish(op.origin);

  const byOffset = new Map(halves.map((h) => [h.queueOffset, h]));
  const plan = planCheck({
    now: deps.scheduler.now(),
    transactionTimeOut: deps.config.transactionTimeOut,
    transactionCheckMax: deps.config.transactionCheckMax,
    halfOffset,
    opOffset,
    halves: halves.map(toHalfEntry),
    ops: opEntries,
    halfMaxOffset: halfEnd,
  });
  await act(deps, plan, byOffset);
  moveProgress(deps, SystemTopic.TRANS_HALF, plan.nextHalfOffset);
  moveProgress(deps, SystemTopic.TRANS_OP_HALF, plan.nextOpOffset);
  const count = (action: string): number => plan.decisions.filter((d) => d.action === action).length;
  return {
    checked: count('check'),
    discarded: count('discard'),
    deferred: count('defer'),
    done: count('done'),
    nextHalfOffset: plan.nextHalfOffset,
    nextOpOffset: plan.nextOpOffset,
  };
}

/** The system group's offset on a queue; before its first run, the queue's start (RocketMQ's fetchConsumeOffset). */
function progress(deps: TransactionCheckDeps, topic: string): number {
  const committed = deps.offsets.queryOffset(TRANSACTION_SYSTEM_GROUP, topic, HALF_QUEUE_ID);
  return committed >= 0 ? committed : deps.store.minOffsetInQueue(topic, HALF_QUEUE_ID);
}

/** Commits only a change: an idle broker does not rewrite consumerOffset.json after every run. */
function moveProgress(deps: TransactionCheckDeps, topic: string, next: number): void {
  if (deps.offsets.queryOffset(TRANSACTION_SYSTEM_GROUP, topic, HALF_QUEUE_ID) === next) return;
  deps.offsets.commitOffset(TRANSACTION_SYSTEM_GROUP, topic, HALF_QUEUE_ID, next);
}

async function readQueue(
  store: TransactionCheckDeps['store'],
  topic: string,
  from: number,
  to: number,
): Promise<MessageExt[]> {
  const records: MessageExt[] = [];
  let offset = from;
  while (offset < to) {
    const result = await store.getMessage(topic, HALF_QUEUE_ID, {
      offset,
      maxCount: Math.min(READ_BATCH, to - offset),
      maxBytes: READ_MAX_BYTES,
    });
    for (const record of result.messages) {
      const message = decodeRecord(record);
      if (message.queueOffset < to) records.push(message);
    }
    if (result.nextBeginOffset <= offset) break;
    offset = result.nextBeginOffset;
  }
  return records;
}

const toHalfEntry = (half: MessageExt): HalfEntry => ({
  queueOffset: half.queueOffset,
  origin: originOf(half),
  bornTimestamp: half.bornTimestamp,
  storeTimestamp: half.storeTimestamp,
  checkTimes: checkTimesOf(half),
  immunityMs: immunityMsOf(half),
});

const toOpEntry = (op: MessageExt): OpEntry => ({
  opOffset: op.queueOffset,
  origin: opOriginOf(op),
  storeTimestamp: op.storeTimestamp,
});

async function act(
  deps: TransactionCheckDeps,
  plan: CheckPlan,
  halves: ReadonlyMap<number, MessageExt>,
): Promise<void> {
  for (const { action, half: entry } of plan.decisions) {
    const half = halves.get(entry.queueOffset);
    if (half === undefined) continue;
    if (action === 'check') await renewAndAsk(deps, half, entry.checkTimes + 1);
    else if (action === 'defer')
      await deps.put([renewedHalfInput(half, entry.checkTimes, deps.storeHost)], {});
    else if (action === 'discard') await discard(deps, half, entry.checkTimes);
  }
}

/**
 * Stores the half again with one more check counted (so the next run finds it at the end of the queue), then
 * asks a live producer of its group about the renewed copy: the producer answers END_TRANSACTION with the
 * copy's offsets.
 */
async function renewAndAsk(deps: TransactionCheckDeps, half: MessageExt, checkTimes: number): Promise<void> {
  const renewed = renewedHalfInput(half, checkTimes, deps.storeHost);
  const result = await deps.put([renewed], {});
  const stored = result.records[0];
  if (stored === undefined) return;
  const group = half.properties.get(MessageProperty.PGROUP) ?? '';
  const uniqKey = half.properties.get(MessageProperty.UNIQ_KEY);
  const producer = deps.producers.connections(group)[0];
  if (producer === undefined) {
    deps.logger.info(
      { producerGroup: group, msgId: uniqKey, checkTimes },
      'no live producer to ask about a transaction',
    );
    return;
  }
  const destination = realDestinationOf(half) ?? { topic: half.topic, queueId: half.queueId };
  const body = encodeRecord(checkedMessageInput(renewed, destination), stored);
  producer.channel.oneway(
    createRequest(RequestCode.CHECK_TRANSACTION_STATE, {
      extFields: encodeCheckTransactionStateRequestHeader({
        tranStateTableOffset: stored.queueOffset,
        commitLogOffset: stored.physicalOffset,
        msgId: uniqKey,
        transactionId: uniqKey,
        offsetMsgId: createOffsetMsgId(deps.storeHost, stored.physicalOffset),
      }),
      body,
    }),
  );
}

async function discard(deps: TransactionCheckDeps, half: MessageExt, checkTimes: number): Promise<void> {
  await deps.topics.ensure(SystemTopic.TRANS_CHECK_MAX_TIME, 1, Perm.READ | Perm.WRITE);
  await deps.put([discardedInput(half, deps.storeHost)], {});
  deps.logger.warn(
    {
      producerGroup: half.properties.get(MessageProperty.PGROUP),
      msgId: half.properties.get(MessageProperty.UNIQ_KEY),
      topic: half.properties.get(MessageProperty.REAL_TOPIC),
      checkTimes,
    },
    `transaction half message discarded after ${checkTimes} checks (kept on ${SystemTopic.TRANS_CHECK_MAX_TIME})`,
  );
}
