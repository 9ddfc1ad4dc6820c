import { jetStream } from './compare/jetstream.js';
import { type Outcome, type PeerColumn, ratioRows } from './compare/ratio-rows.js';
import { redisStreams } from './compare/redis-streams.js';
import { rxrocket } from './compare/rxrocket.js';
import type { ComparedSystem, SystemLauncher } from './compare/system.js';
import { runWorkloads, type WorkloadCounts } from './compare/workloads.js';
import type { BenchReport } from './report.js';

/**
 * `npm run bench -- compare`: the same workloads against RxRocket and, in the same run, Redis Streams and
 * NATS JetStream, each started here on a free loopback port with its data in a temp dir, paired by
 * durability (RxRocket ASYNC_FLUSH with Redis everysec and JetStream's default; SYNC_FLUSH with Redis
 * always and JetStream sync_interval always). A peer that is not installed is skipped with a line saying so; one that fails
 * or hangs gets 'failed' in its column and the run goes on.
 */
const BODY = Buffer.alloc(1024, 0x78);

const PEERS: readonly PeerColumn[] = [
  { system: 'Redis', ratio: 'x redis' },
  { system: 'JetStream', ratio: 'x nats' },
];

interface Pairing {
  readonly name: string;
  readonly counts: WorkloadCounts;
  readonly launchers: readonly SystemLauncher[];
}

// Fewer messages at SYNC durability, where each one-in-flight send waits for an fsync.
const PAIRINGS: readonly Pairing[] = [
  {
    name: 'async',
    counts: { warmup: 2_000, serial: 10_000, inFlight: 100_000 },
    launchers: [rxrocket('ASYNC_FLUSH'), redisStreams('everysec'), jetStream('default')],
  },
  {
    name: 'sync',
    counts: { warmup: 500, serial: 2_000, inFlight: 30_000 },
    launchers: [rxrocket('SYNC_FLUSH'), redisStreams('always'), jetStream('always')],
  },
];

/** `--quick` (after `npm run bench -- compare`) runs a tenth of the messages: a check that all runs, no figures. */
const scale = process.argv.includes('--quick') ? 0.1 : 1;
const scaled = (c: WorkloadCounts): WorkloadCounts => ({
  warmup: Math.ceil(c.warmup * scale),
  serial: Math.ceil(c.serial * scale),
  inFlight: Math.ceil(c.inFlight * scale),
});

/** A system that hangs (a lost ack, a stuck consumer) fails its column instead of holding up the run. */
const SYSTEM_DEADLINE_MS = 180_000;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`not done within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    clearTimeout(timer);
  });
}

async function measure(
  launcher: SystemLauncher,
  counts: WorkloadCounts,
  report: BenchReport,
): Promise<Outcome> {
  const label = `${launcher.system} (${launcher.durability})`;
  const reason = await launcher.unavailable();
  if (reason !== undefined) {
    report.progress(`skipping ${label}: ${reason}`);
    return { durability: launcher.durability, missing: `skipped: ${reason}` };
  }
  report.progress(`${label}: starting`);
  let system: ComparedSystem | undefined;
  try {
    system = await launcher.start(BODY);
    const figures = await withDeadline(
      runWorkloads(system, counts, (message) => {
        report.progress(`${label}: ${message}`);
      }),
      SYSTEM_DEADLINE_MS,
    );
    return { durability: launcher.durability, figures };
  } catch (error) {
    report.progress(`${label} failed: ${error instanceof Error ? error.message : String(error)}`);
    return { durability: launcher.durability, missing: `${launcher.durability}: failed` };
  } finally {
    await system?.close();
  }
}

export async function run(report: BenchReport): Promise<void> {
  // Ctrl-C or a kill ends through process.exit, whose handlers SIGKILL every server started here.
  const exit = (signal: NodeJS.Signals): void => {
    report.progress(`${signal}: stopping the servers`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', exit);
  process.on('SIGTERM', exit);
  try {
    for (const pairing of PAIRINGS) {
      const outcomes = new Map<string, Outcome>();
      for (const launcher of pairing.launchers) {
        outcomes.set(launcher.system, await measure(launcher, scaled(pairing.counts), report));
      }
      for (const row of ratioRows(pairing.name, outcomes, PEERS)) report.add(row);
    }
  } finally {
    process.off('SIGINT', exit);
    process.off('SIGTERM', exit);
  }
}
