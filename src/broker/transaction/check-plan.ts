/**
 * What one run of the transaction check service does, decided without I/O (RocketMQ's
 * TransactionalMessageServiceImpl.check): which halves are finished, which to ask the producer about, which
 * to renew or discard, and how far the half and op queue offsets may move.
 */

/** A half message as the planner needs it. */
export interface HalfEntry {
  readonly queueOffset: number;
  /** The first half of this transaction (the half itself unless it is a renewed copy). */
  readonly origin: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly checkTimes: number;
  /** The producer's CHECK_IMMUNITY_TIME_IN_SECONDS in ms, replacing transactionTimeOut for this half. */
  readonly immunityMs: number | undefined;
}

/** An op record: the origin offset of a finished transaction. */
export interface OpEntry {
  readonly opOffset: number;
  /** Undefined for a record that names no half (it is passed over). */
  readonly origin: number | undefined;
  readonly storeTimestamp: number;
}

export interface CheckPlanInput {
  readonly now: number;
  readonly transactionTimeOut: number;
  readonly transactionCheckMax: number;
  /** The check progress on the half queue: where the halves start. */
  readonly halfOffset: number;
  /** The op queue offset the op entries start at. */
  readonly opOffset: number;
  /** Consecutive halves from the check progress on. */
  readonly halves: readonly HalfEntry[];
  /** Consecutive op records from `opOffset` to the op queue's end. */
  readonly ops: readonly OpEntry[];
  /** The half queue's end when the halves were read. */
  readonly halfMaxOffset: number;
}

export type HalfAction =
  /** An op record finished its transaction. */
  | 'done'
  /** Old enough and unanswered: store it again with one more check and ask the producer. */
  | 'check'
  /** Asked transactionCheckMax times already: give up on it. */
  | 'discard'
  /** Not old enough for its own immunity time: store it again, uncounted, so it does not hold up the rest. */
  | 'defer';

export interface HalfDecision {
  readonly action: HalfAction;
  readonly half: HalfEntry;
}

export interface CheckPlan {
  readonly decisions: readonly HalfDecision[];
  /** The new check progress on the half queue. */
  readonly nextHalfOffset: number;
  /** The new progress on the op queue: past op records no half still waiting can need. */
  readonly nextOpOffset: number;
}

/**
 * Walks the halves in order and stops at the first that is too young: halves are stored in arrival order,
 * so the ones behind it are younger still (except renewed copies, whose turn comes in a later run anyway).
 */
export function planCheck(input: CheckPlanInput): CheckPlan {
  const finished = new Set<number>();
  for (const op of input.ops) if (op.origin !== undefined) finished.add(op.origin);

  const decisions: HalfDecision[] = [];
  let nextHalfOffset = input.halfOffset;
  let newestPassed = -Infinity;
  for (const half of input.halves) {
    const action = decide(half, finished, input);
    if (action === undefined) break;
    decisions.push({ action, half });
    nextHalfOffset = half.queueOffset + 1;
    newestPassed = Math.max(newestPassed, half.storeTimestamp);
  }
  const drained = nextHalfOffset >= input.halfMaxOffset;

  // An op record is kept while a copy of its transaction may still lie ahead: copies are only ever stored
  // after the halves the walk has passed, so once it passed a half stored later than the op record (or the
  // queue is drained), every copy that could need the op record has been seen.
  let nextOpOffset = input.opOffset;
  for (const op of input.ops) {
    const retired =
      op.origin === undefined ||
      (op.origin < nextHalfOffset && (drained || newestPassed > op.storeTimestamp));
    if (!retired) break;
    nextOpOffset = op.opOffset + 1;
  }
  return { decisions, nextHalfOffset, nextOpOffset };
}

function decide(
  half: HalfEntry,
  finished: ReadonlySet<number>,
  input: CheckPlanInput,
): HalfAction | undefined {
  if (finished.has(half.origin)) return 'done';
  if (half.checkTimes >= input.transactionCheckMax) return 'discard';
  const age = input.now - half.bornTimestamp;
  const immunity = half.immunityMs ?? input.transactionTimeOut;
  if (age >= immunity) return 'check';
  return half.immunityMs === undefined ? undefined : 'defer';
}
