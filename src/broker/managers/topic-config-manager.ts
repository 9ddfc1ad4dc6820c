import { Subject, type Observable } from 'rxjs';
import type { Logger } from '../../logger.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { type DataVersion, initialDataVersion, nextDataVersion } from './data-version.js';
import { type TopicConfig, parseTopicConfig } from '../../protocol/headers/topic-admin.js';
import { Perm, SystemTopic, isInheritable, topicConfig } from './topic-config.js';
import { type ConfigTableFile, loadConfigTable } from './config-table-file.js';

export interface TopicConfigManagerOptions {
  /** config/topics.json */
  readonly path: string;
  readonly brokerClusterName: string;
  readonly brokerName: string;
  readonly autoCreateTopicEnable: boolean;
  readonly defaultTopicQueueNums: number;
  readonly delayLevelCount: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface TopicsJson {
  readonly dataVersion?: DataVersion;
  readonly topicConfigTable?: Record<string, unknown>;
}

/**
 * The broker's topic table (RocketMQ's TopicConfigManager): system topics, auto-creation from the default
 * topic TBW102, and persistence to config/topics.json. Every change bumps the data version and emits on
 * `changed$`, which makes the broker re-register with the name servers.
 */
export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>();
  private readonly changes = new Subject<void>();
  private readonly writer: CoalescingWriter;
  private version: DataVersion;
  readonly changed$: Observable<void> = this.changes.asObservable();

  private constructor(
    private readonly options: TopicConfigManagerOptions,
    private readonly file: ConfigTableFile,
    stored: TopicsJson | undefined,
  ) {
    const now = options.now ?? Date.now;
    this.version = stored?.dataVersion ?? initialDataVersion(now());
    for (const [name, config] of Object.entries(stored?.topicConfigTable ?? {})) {
      this.table.set(name, parseTopicConfig(config, `topics.json ${name}`));
    }
    this.writer = new CoalescingWriter(() => this.file.write(JSON.stringify(this.toJson(), null, 2)));
    this.addSystemTopics();
  }

  static async load(options: TopicConfigManagerOptions): Promise<TopicConfigManager> {
    const file = await loadConfigTable(options.path, options.logger);
    const manager = new TopicConfigManager(options, file, file.initial as TopicsJson | undefined);
    await manager.writer.request();
    return manager;
  }

  get dataVersion(): DataVersion {
    return this.version;
  }

  get(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  all(): ReadonlyMap<string, TopicConfig> {
    return this.table;
  }

  /** UPDATE_AND_CREATE_TOPIC. */
  async upsert(config: TopicConfig): Promise<void> {
    this.table.set(config.topicName, config);
    await this.changed();
    this.options.logger.info({ topic: config.topicName, config }, 'topic created or updated');
  }

  async delete(topic: string): Promise<boolean> {
    if (!this.table.delete(topic)) return false;
    await this.changed();
    this.options.logger.info({ topic }, 'topic deleted');
    return true;
  }

  /**
   * RocketMQ's createTopicInSendMessageMethod: a send to an unknown topic names a default topic; if that
   * topic's permission is inheritable the new topic gets min(client's, default's) queues. TBW102 loses its
   * inherit bit when autoCreateTopicEnable is off, which is what makes auto-creation refusable.
   */
  async createInSendMessage(
    topic: string,
    defaultTopic: string,
    clientQueueNums: number,
    topicSysFlag: number,
  ): Promise<TopicConfig | undefined> {
    const existing = this.table.get(topic);
    if (existing !== undefined) return existing;
    const template = this.table.get(defaultTopic);
    if (template === undefined || !isInheritable(template.perm)) {
      this.options.logger.warn(
        { topic, defaultTopic },
        'send to unknown topic; default topic does not allow auto-creation',
      );
      return undefined;
    }
    const queueNums = Math.max(1, Math.min(clientQueueNums, template.writeQueueNums));
    const created: TopicConfig = {
      ...topicConfig(topic, queueNums, template.perm & ~Perm.INHERIT),
      topicSysFlag,
    };
    this.table.set(topic, created);
    await this.changed();
    this.options.logger.info({ topic, queueNums, defaultTopic }, 'topic auto-created on send');
    return created;
  }

  /** Retry and DLQ topics: created on demand with the given queues (RocketMQ's createTopicInSendMessageBackMethod). */
  async ensure(topic: string, queueNums: number, perm: number, topicSysFlag = 0): Promise<TopicConfig> {
    const existing = this.table.get(topic);
    if (existing !== undefined) return existing;
    const created = { ...topicConfig(topic, queueNums, perm), topicSysFlag };
    this.table.set(topic, created);
    await this.changed();
    this.options.logger.info({ topic, queueNums }, 'topic created on demand');
    return created;
  }

  toJson(): { dataVersion: DataVersion; topicConfigTable: Record<string, TopicConfig> } {
    return { dataVersion: this.version, topicConfigTable: Object.fromEntries(this.table) };
  }

  close(): void {
    this.changes.complete();
  }

  private async changed(): Promise<void> {
    this.version = nextDataVersion(this.version, (this.options.now ?? Date.now)());
    await this.writer.request();
    this.changes.next();
  }

  private addSystemTopics(): void {
    const { options } = this;
    const rw = Perm.READ | Perm.WRITE;
    const system: TopicConfig[] = [
      topicConfig(SystemTopic.SELF_TEST, 1, rw),
      topicConfig(SystemTopic.OFFSET_MOVED_EVENT, 1, rw),
      topicConfig(SystemTopic.SCHEDULE, options.delayLevelCount, rw),
      topicConfig(SystemTopic.TRANS_HALF, 1, rw),
      topicConfig(SystemTopic.TRANS_OP_HALF, 1, rw),
      topicConfig(options.brokerClusterName, 16, rw),
      topicConfig(options.brokerName, 1, rw),
    ];
    for (const config of system)
      if (!this.table.has(config.topicName)) this.table.set(config.topicName, config);
    // TBW102 is rewritten at every start so that turning autoCreateTopicEnable off takes effect.
    const inherit = options.autoCreateTopicEnable ? Perm.INHERIT : 0;
    this.table.set(
      SystemTopic.AUTO_CREATE,
      topicConfig(SystemTopic.AUTO_CREATE, options.defaultTopicQueueNums, rw | inherit),
    );
  }
}
