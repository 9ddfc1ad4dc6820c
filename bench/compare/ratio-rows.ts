import type { BenchRow } from '../report.js';
import type { WorkloadFigures } from './workloads.js';

/** A peer's column label and the ratio column's: 'Redis' and 'x redis'. */
export interface PeerColumn {
  readonly system: string;
  readonly ratio: string;
}

/** What one system gave in one pairing: its figures, or why there are none (shown in its durability cell). */
export type Outcome =
  | { readonly figures: WorkloadFigures; readonly durability: string }
  | { readonly missing: string; readonly durability: string };

interface Metric {
  readonly label: string;
  readonly pick: (f: WorkloadFigures) => number;
  /** Latencies: lower is better, so the ratio is the peer's over ours. */
  readonly lowerIsBetter: boolean;
}

const METRICS: readonly Metric[] = [
  { label: 'send 1 KiB, 1 in flight, msgs/s', pick: (f) => f.serialRate, lowerIsBetter: false },
  { label: 'send 1 KiB, 1 in flight, p50 ms', pick: (f) => f.p50, lowerIsBetter: true },
  { label: 'send 1 KiB, 1 in flight, p99 ms', pick: (f) => f.p99, lowerIsBetter: true },
  { label: 'send 1 KiB, 1 in flight, p999 ms', pick: (f) => f.p999, lowerIsBetter: true },
  { label: 'send 1 KiB, 256 in flight, msgs/s', pick: (f) => f.inFlightRate, lowerIsBetter: false },
  { label: 'consume all with acks, msgs/s', pick: (f) => f.consumeRate, lowerIsBetter: false },
];

const figuresOf = (o: Outcome | undefined): WorkloadFigures | undefined =>
  o !== undefined && 'figures' in o ? o.figures : undefined;

/**
 * One pairing's rows: its durability settings, then a row per figure with each system's value and
 * RxRocket's ratio to each peer, where above 1.0 means RxRocket did better.
 */
export function ratioRows(
  pairing: string,
  outcomes: ReadonlyMap<string, Outcome>,
  peers: readonly PeerColumn[],
): BenchRow[] {
  const all = ['RxRocket', ...peers.map((p) => p.system)].map((system) => ({
    system,
    outcome: outcomes.get(system),
  }));
  const durability: BenchRow = {
    name: `${pairing}: durability`,
    figures: Object.fromEntries(
      all.map(({ system, outcome }) => [
        system,
        outcome === undefined ? '' : 'missing' in outcome ? outcome.missing : outcome.durability,
      ]),
    ),
  };
  const oursFigures = figuresOf(outcomes.get('RxRocket'));
  return [
    durability,
    ...METRICS.map((metric): BenchRow => {
      const figures: Record<string, number | string> = {};
      for (const { system, outcome } of all) {
        const f = figuresOf(outcome);
        figures[system] = f === undefined ? '-' : metric.pick(f);
      }
      for (const peer of peers) {
        const theirs = figuresOf(outcomes.get(peer.system));
        if (oursFigures === undefined || theirs === undefined) {
          figures[peer.ratio] = '-';
          continue;
        }
        const a = metric.pick(oursFigures);
        const b = metric.pick(theirs);
        figures[peer.ratio] = metric.lowerIsBetter ? b / a : a / b;
      }
      return { name: `${pairing}: ${metric.label}`, figures };
    }),
  ];
}
