/** Transactions remembered at most, oldest forgotten first: a bound on memory, far above what is in flight. */
const REMEMBERED = 100_000;

/**
 * The transactions finished since the broker started, by origin half offset, fed by END_TRANSACTION and by
 * the op records the check service reads. A second END_TRANSACTION for the same transaction (a late answer
 * to an earlier check of another copy) is then refused instead of committing the message twice.
 */
export class TransactionLedger {
  private readonly finished = new Set<number>();

  isFinished(origin: number): boolean {
    return this.finished.has(origin);
  }

  /** Records the transaction as finished; false when it already was. */
  finish(origin: number): boolean {
    if (this.finished.has(origin)) return false;
    this.finished.add(origin);
    if (this.finished.size > REMEMBERED) {
      const oldest = this.finished.values().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
    return true;
  }

  /** Forgets one: its op record could not be stored, so it is not finished after all. */
  reopen(origin: number): void {
    this.finished.delete(origin);
  }
}
