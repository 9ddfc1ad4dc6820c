import type { Logger } from '../../logger.js';
import {
  type SubscriptionGroupConfig,
  defaultSubscriptionGroupConfig,
  parseSubscriptionGroupConfig,
} from '../../protocol/headers/subscription-group.js';
import { CoalescingWriter } from './coalescing-writer.js';
import { type ConfigTableFile, loadConfigTable } from './config-table-file.js';
import { type DataVersion, initialDataVersion, nextDataVersion } from './data-version.js';

/**
 * Subscription group settings (RocketMQ's SubscriptionGroupManager): retry queue count, retryMaxTimes before
 * the DLQ, whether the group may consume. Unknown groups are created with defaults when
 * autoCreateSubscriptionGroup is on; persisted to config/subscriptionGroup.json.
 */
export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  private readonly writer: CoalescingWriter;
  private version: DataVersion;

  private constructor(
    private readonly file: ConfigTableFile,
    private readonly autoCreate: boolean,
    private readonly logger: Logger,
  ) {
    const stored = file.initial as
      { dataVersion?: DataVersion; subscriptionGroupTable?: Record<string, unknown> } | undefined;
    this.version = stored?.dataVersion ?? initialDataVersion(Date.now());
    for (const [name, value] of Object.entries(stored?.subscriptionGroupTable ?? {})) {
      this.table.set(name, parseSubscriptionGroupConfig(value, `subscriptionGroup.json ${name}`));
    }
    this.writer = new CoalescingWriter(() => this.file.write(JSON.stringify(this.toJson(), null, 2)));
  }

  static async load(path: string, autoCreate: boolean, logger: Logger): Promise<SubscriptionGroupManager> {
    return new SubscriptionGroupManager(await loadConfigTable(path, logger), autoCreate, logger);
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** The group's config, created with defaults when auto-creation is on; undefined when refused. */
  async findOrCreate(group: string): Promise<SubscriptionGroupConfig | undefined> {
    const existing = this.table.get(group);
    if (existing !== undefined || !this.autoCreate) return existing;
    const created = defaultSubscriptionGroupConfig(group);
    try {
      await this.upsert(created);
    } catch (error) {
      // As RocketMQ's ConfigManager.persist: a full disk must not stop a new group from reading; the group
      // stays in the table and reaches the file with the next write that succeeds.
      this.logger.error(
        { group, error: error instanceof Error ? error.message : String(error) },
        'subscription group created in memory only: writing subscriptionGroup.json failed',
      );
    }
    return created;
  }

  async upsert(config: SubscriptionGroupConfig): Promise<void> {
    this.table.set(config.groupName, config);
    this.version = nextDataVersion(this.version, Date.now());
    await this.writer.request();
    this.logger.info({ group: config.groupName }, 'subscription group created or updated');
  }

  async delete(group: string): Promise<boolean> {
    if (!this.table.delete(group)) return false;
    this.version = nextDataVersion(this.version, Date.now());
    await this.writer.request();
    this.logger.info({ group }, 'subscription group deleted');
    return true;
  }

  replaceAll(configs: readonly SubscriptionGroupConfig[]): Promise<void> {
    this.table.clear();
    for (const c of configs) this.table.set(c.groupName, c);
    return this.writer.request();
  }

  all(): ReadonlyMap<string, SubscriptionGroupConfig> {
    return this.table;
  }

  toJson(): { dataVersion: DataVersion; subscriptionGroupTable: Record<string, SubscriptionGroupConfig> } {
    return { dataVersion: this.version, subscriptionGroupTable: Object.fromEntries(this.table) };
  }
}
