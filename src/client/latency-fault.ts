/**
 * RocketMQ's MQFaultStrategy: a broker whose last send was slow or failed is avoided for a while, the
 * longer the slower. Thresholds are RocketMQ's (latencyMax / notAvailableDuration). Time is passed in, so the
 * table is a pure value-in, value-out structure driven by the caller's scheduler clock.
 */
const LATENCY_MAX_MS = [50, 100, 550, 1000, 2000, 3000, 15000] as const;
const NOT_AVAILABLE_MS = [0, 0, 30000, 60000, 120000, 180000, 600000] as const;
/** A send that failed outright counts as this slow. */
export const FAILED_SEND_LATENCY_MS = 30_000;

export function notAvailableDuration(latencyMs: number): number {
  for (let i = LATENCY_MAX_MS.length - 1; i >= 0; i--) {
    if (latencyMs >= (LATENCY_MAX_MS[i] ?? 0)) return NOT_AVAILABLE_MS[i] ?? 0;
  }
  return 0;
}

export class LatencyFaultTable {
  private readonly notAvailableUntil = new Map<string, number>();
  private readonly lastLatency = new Map<string, number>();

  /** Records a send's outcome: `latencyMs` for a response, FAILED_SEND_LATENCY_MS for a failure. */
  record(brokerName: string, latencyMs: number, now: number): void {
    this.lastLatency.set(brokerName, latencyMs);
    const duration = notAvailableDuration(latencyMs);
    if (duration === 0) this.notAvailableUntil.delete(brokerName);
    else this.notAvailableUntil.set(brokerName, now + duration);
  }

  isAvailable(brokerName: string, now: number): boolean {
    const until = this.notAvailableUntil.get(brokerName);
    return until === undefined || now >= until;
  }

  /** Of the unavailable brokers, the one expected to recover first (RocketMQ's pickOneAtLeast, simplified). */
  leastBad(brokerNames: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestUntil = Infinity;
    for (const name of brokerNames) {
      const until = this.notAvailableUntil.get(name) ?? 0;
      if (until < bestUntil) {
        best = name;
        bestUntil = until;
      }
    }
    return best;
  }
}
