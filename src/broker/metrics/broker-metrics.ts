/**
 * The broker's Prometheus metrics (prom-client, on a registry of its own so two brokers in one process do
 * not mix). Traffic is added once per request to plain per-topic numbers, handed to prom-client only when
 * scraped (its labelled inc costs a label hash, ~250 ns, each time); gauges that cost a walk (lag, store
 * size, disk use) are computed when scraped too.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Messages behind per group and topic: the broker's max offset minus the group's committed offset. */
  consumerLag(): Iterable<{ readonly group: string; readonly topic: string; readonly lag: number }>;
  storeSizeBytes(): Promise<number>;
  /** Used fraction 0..1 of the store's file system. */
  diskUsedRatio(): Promise<number>;
  connections(): number;
  /** Orderly consumers' live queue locks. */
  queueLocks?: () => Iterable<{
    readonly group: string;
    readonly queue: { readonly topic: string; readonly queueId: number };
    readonly clientId: string;
  }>;
  /** Bytes the furthest connected slave is behind; 0 without one. */
  haLagBytes?: () => number;
}

interface TopicTraffic {
  messages: number;
  bytes: number;
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class BrokerMetrics {
  readonly registry = new Registry();
  /** Since boot, for GET_BROKER_RUNTIME_INFO. */
  putTotal = 0;
  getTotal = 0;
  private parked = 0;
  private sources: MetricsSources | undefined;
  private readonly inByTopic = new Map<string, TopicTraffic>();
  private readonly outByTopic = new Map<string, TopicTraffic>();
  private readonly putLatency: Histogram;
  private readonly flushLatency: Histogram;

  /** For the pull processor: pulls parked waiting for messages (long polling). */
  readonly parking = {
    parked: (): void => {
      this.parked++;
    },
    unparked: (): void => {
      this.parked--;
    },
  };

  /** For the store: each disk trip's duration. */
  readonly flushTimed = (seconds: number): void => {
    this.flushLatency.observe(seconds);
  };

  constructor(labels: { readonly cluster: string; readonly broker: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    const counter = (
      name: string,
      help: string,
      traffic: Map<string, TopicTraffic>,
      field: keyof TopicTraffic,
    ): void => {
      new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers,
        collect() {
          this.reset();
          for (const [topic, totals] of traffic) this.inc({ topic }, totals[field]);
        },
      });
    };
    counter('rocketmq_messages_in_total', 'Messages stored, per topic', this.inByTopic, 'messages');
    counter('rocketmq_bytes_in_total', 'Stored record bytes written, per topic', this.inByTopic, 'bytes');
    counter(
      'rocketmq_messages_out_total',
      'Messages returned to pulls, per topic',
      this.outByTopic,
      'messages',
    );
    counter(
      'rocketmq_bytes_out_total',
      'Stored record bytes returned to pulls, per topic',
      this.outByTopic,
      'bytes',
    );
    this.putLatency = new Histogram({
      name: 'rocketmq_put_latency_seconds',
      help: 'Time from a put reaching the store to its acknowledgement (flush included under SYNC_FLUSH)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.flushLatency = new Histogram({
      name: 'rocketmq_flush_latency_seconds',
      help: 'Duration of each CommitLog trip to the disk',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const scraped = <T>(read: (sources: MetricsSources) => T): T | undefined =>
      this.sources === undefined ? undefined : read(this.sources);
    new Gauge({
      name: 'rocketmq_consumer_lag_messages',
      help: 'Messages not yet consumed, per consumer group and topic',
      labelNames: ['group', 'topic'],
      registers,
      collect() {
        this.reset();
        for (const { group, topic, lag } of scraped((s) => s.consumerLag()) ?? [])
          this.set({ group, topic }, lag);
      },
    });
    new Gauge({
      name: 'rocketmq_orderly_queue_lock',
      help: 'Queue locks held by orderly consumers (1 per live lock), by group, topic, queue and owning client',
      labelNames: ['group', 'topic', 'queue_id', 'client_id'],
      registers,
      collect() {
        this.reset();
        for (const { group, queue, clientId } of scraped((s) => s.queueLocks?.()) ?? [])
          this.set({ group, topic: queue.topic, queue_id: queue.queueId, client_id: clientId }, 1);
      },
    });
    new Gauge({
      name: 'rocketmq_store_size_bytes',
      help: 'Disk space taken by the files under the store directory',
      registers,
      async collect() {
        this.set((await scraped((s) => s.storeSizeBytes())) ?? 0);
      },
    });
    new Gauge({
      name: 'rocketmq_disk_used_ratio',
      help: "Used fraction of the store's file system",
      registers,
      async collect() {
        this.set((await scraped((s) => s.diskUsedRatio())) ?? 0);
      },
    });
    const parkedCount = (): number => this.parked;
    new Gauge({
      name: 'rocketmq_long_polling_parked_pulls',
      help: 'Pull requests held open waiting for messages',
      registers,
      collect() {
        this.set(parkedCount());
      },
    });
    new Gauge({
      name: 'rocketmq_ha_lag_bytes',
      help: 'CommitLog bytes the furthest slave is behind this master (0 without a connected slave)',
      registers,
      collect() {
        this.set(scraped((s) => s.haLagBytes?.()) ?? 0);
      },
    });
    new Gauge({
      name: 'rocketmq_connections',
      help: 'Open client connections',
      registers,
      collect() {
        this.set(scraped((s) => s.connections()) ?? 0);
      },
    });
  }

  /** What the scrape-time gauges read; until attached they read 0. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** One put request: its records (one topic) and how long the store took to acknowledge them. */
  recordPut(topic: string, records: readonly { readonly size: number }[], seconds: number): void {
    let bytes = 0;
    for (const record of records) bytes += record.size;
    const traffic = trafficOf(this.inByTopic, topic);
    traffic.messages += records.length;
    traffic.bytes += bytes;
    this.putLatency.observe(seconds);
    this.putTotal += records.length;
  }

  recordPull(topic: string, messages: number, bytes: number): void {
    const traffic = trafficOf(this.outByTopic, topic);
    traffic.messages += messages;
    traffic.bytes += bytes;
    this.getTotal += messages;
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function trafficOf(table: Map<string, TopicTraffic>, topic: string): TopicTraffic {
  let traffic = table.get(topic);
  if (traffic === undefined) {
    traffic = { messages: 0, bytes: 0 };
    table.set(topic, traffic);
  }
  return traffic;
}
