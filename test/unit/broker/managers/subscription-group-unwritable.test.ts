import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SubscriptionGroupManager } from '../../../../src/broker/managers/subscription-group-manager.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';
import { useTempDir } from '../../../helpers/temp-dir.js';

let dir: string;
useTempDir('rxrocket-groups-', (path) => {
  dir = path;
});

describe('SubscriptionGroupManager when its file cannot be written (a full disk)', () => {
  it('still creates a group on first use, with one error line, and writes it with the next change that succeeds', async () => {
    const configDir = join(dir, 'config');
    await mkdir(configDir);
    const logger = recordingLogger();
    const groups = await SubscriptionGroupManager.load(
      join(configDir, 'subscriptionGroup.json'),
      true,
      logger,
    );
    await rm(configDir, { recursive: true });

    const created = await groups.findOrCreate('reader-cg');
    expect(created?.groupName).toBe('reader-cg');
    expect(groups.all().has('reader-cg')).toBe(true);
    expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);

    await mkdir(configDir);
    await groups.findOrCreate('second-cg');
    const reloaded = await SubscriptionGroupManager.load(
      join(configDir, 'subscriptionGroup.json'),
      false,
      logger,
    );
    expect([...reloaded.all().keys()]).toEqual(expect.arrayContaining(['reader-cg', 'second-cg']));
  });
});
