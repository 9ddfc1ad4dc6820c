import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CleanServiceOptions,
  createCommitLogCleaner,
  statfsFreeBytes,
} from '../../../../src/broker/store/clean-service.js';
import { MappedFileQueue } from '../../../../src/broker/store/mapped-file-queue.js';
import { recordingLogger } from '../../../helpers/recording-logger.js';

const MIB = 1024 * 1024;
let dir: string;
let files: MappedFileQueue;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxrocket-floor-'));
  await mkdir(join(dir, 'commitlog'));
  files = await MappedFileQueue.load(join(dir, 'commitlog'), 64);
});
afterEach(async () => {
  await files.close();
  await rm(dir, { recursive: true, force: true });
});

interface Disk {
  usage: number;
  free: number;
  readonly flags: [boolean, string][];
}

function options(disk: Disk, over: Partial<CleanServiceOptions> = {}): CleanServiceOptions {
  return {
    storeDir: dir,
    commitLogFiles: files,
    dependents: [],
    fileReservedTime: 72,
    deleteWhen: '04',
    diskMaxUsedSpaceRatio: 75,
    cleanResourceInterval: 10_000,
    setDiskFull: (full, reason) => {
      disk.flags.push([full, reason]);
    },
    logger: recordingLogger(),
    diskUsage: () => Promise.resolve(disk.usage),
    freeBytes: () => Promise.resolve(disk.free),
    ...over,
  };
}

describe('the store full flag with a free-space floor', () => {
  it('flags the disk full below the floor whatever the ratio, and not full once above it again', async () => {
    const disk: Disk = { usage: 0.3, free: 10 * MIB, flags: [] };
    const cleaner = createCommitLogCleaner(options(disk, { minFreeBytes: 5 * MIB }));
    for (const free of [10, 4, 3, 6, 8].map((m) => m * MIB)) {
      disk.free = free;
      await cleaner.run();
    }
    expect(disk.flags.map(([full]) => full)).toEqual([true, false]);
    expect(disk.flags[0]![1]).toMatch(/disk full: .*4194304 bytes free.*fewer than 5242880 bytes free/);
  });

  it('stays full while the ratio says so even with room above the floor', async () => {
    const disk: Disk = { usage: 0.95, free: 1 * MIB, flags: [] };
    const cleaner = createCommitLogCleaner(options(disk, { minFreeBytes: 5 * MIB }));
    await cleaner.run();
    disk.free = 50 * MIB;
    await cleaner.run();
    disk.usage = 0.5;
    await cleaner.run();
    expect(disk.flags.map(([full]) => full)).toEqual([true, false]);
    expect(disk.flags[0]![1]).toMatch(/fewer than/);
  });

  it('ignores free space without a floor, and honours a configured ratio', async () => {
    const disk: Disk = { usage: 0.6, free: 0, flags: [] };
    await createCommitLogCleaner(options(disk)).run();
    expect(disk.flags).toEqual([]);
    await createCommitLogCleaner(options(disk, { diskFullRatio: 0.5 })).run();
    expect(disk.flags.map(([full]) => full)).toEqual([true]);
  });

  it('reads free bytes of a real file system', async () => {
    expect(await statfsFreeBytes(dir)).toBeGreaterThan(0);
  });
});
