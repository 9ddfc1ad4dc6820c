import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RxRocketError } from '../../errors.js';
import { javaStringHashCode } from '../../protocol/java-hash.js';
import { IndexFile, type IndexGeometry } from './index-file.js';

const FILE_NAME = /^\d{17}$/;

export interface IndexQueryResult {
  readonly physicalOffsets: number[];
  readonly lastUpdateTimestamp: number;
  readonly lastUpdatePhysicalOffset: number;
}

/** RocketMQ's indexKeyHashMethod: Math.abs of String.hashCode, where abs(Integer.MIN_VALUE) overflows to 0. */
export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -0x80000000 ? 0 : Math.abs(h);
}

/**
 * The index files of a store (RocketMQ's IndexService), oldest first in `store/index/`. Only the newest
 * takes keys; a full one is followed by a new file named by its creation time.
 */
export class IndexService {
  private writable: IndexFile | undefined;
  /** Adds waiting behind the creation of a file; later adds join it so that all apply in order. */
  private queue: Promise<void> | undefined;
  /** Flushes, truncation, deletion and close run one at a time. */
  private maintenance: Promise<void> = Promise.resolve();
  /** Running queries: files are closed only after those that may hold them have finished. */
  private readonly queries = new Set<Promise<unknown>>();
  /**
   * Commitlog offset of the last message indexed and how many of its keys made it: after recovery the
   * re-dispatch repeats messages, and only the keys missing (a file may have rolled inside one) are added.
   */
  private lastOffset = -1;
  private lastKeys = 0;
  private flushedTs = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly geometry: IndexGeometry,
    private files: IndexFile[],
  ) {}

  /** Opens the files in `indexDir` (creating it); the newest, unless full, takes keys again. */
  static async load(indexDir: string, options: IndexGeometry): Promise<IndexService> {
    const { maxHashSlotNum, maxIndexNum } = options;
    if (
      !Number.isInteger(maxHashSlotNum) ||
      maxHashSlotNum < 1 ||
      !Number.isInteger(maxIndexNum) ||
      maxIndexNum < 2
    ) {
      throw new RxRocketError(
        'ERR_INDEX_CONFIG',
        `bad index geometry: ${maxHashSlotNum} slots, ${maxIndexNum} entries`,
      );
    }
    await mkdir(indexDir, { recursive: true });
    const names = (await readdir(indexDir)).filter((name) => FILE_NAME.test(name)).sort();
    const service = new IndexService(indexDir, { maxHashSlotNum, maxIndexNum }, []);
    try {
      for (const name of names)
        service.files.push(await IndexFile.open(join(indexDir, name), service.geometry));
      await service.settle();
      return service;
    } catch (error) {
      await Promise.all(service.files.map((file) => file.close()));
      throw error;
    }
  }

  /** Store timestamp of the newest entry that reached the disk by the last flush. */
  get flushedTimestamp(): number {
    return this.flushedTs;
  }

  /**
   * Indexes one dispatched message under each key (`${topic}#${key}` strings). Synchronous unless a new
   * file must be created: then it returns a Promise, and so do later calls until that one is done.
   */
  add(keys: readonly string[], physicalOffset: number, storeTimestamp: number): void | Promise<void> {
    if (this.queue !== undefined) {
      return this.enqueue(this.queue.then(() => this.apply(keys, physicalOffset, storeTimestamp)));
    }
    const pending = this.apply(keys, physicalOffset, storeTimestamp);
    if (pending !== undefined) return this.enqueue(pending);
  }

  private apply(keys: readonly string[], offset: number, timestamp: number): Promise<void> | undefined {
    if (offset < this.lastOffset) return undefined;
    const from = offset === this.lastOffset ? this.lastKeys : 0;
    this.lastOffset = offset;
    this.lastKeys = from;
    return this.putFrom(keys, from, offset, timestamp);
  }

  private putFrom(
    keys: readonly string[],
    from: number,
    offset: number,
    timestamp: number,
  ): Promise<void> | undefined {
    const file = this.writable;
    for (let i = from; i < keys.length; i++) {
      if (file === undefined || file.isFull)
        return this.roll().then(() => this.putFrom(keys, i, offset, timestamp));
      file.put(indexKeyHash(keys[i]!), offset, timestamp);
      this.lastKeys = i + 1;
    }
    return undefined;
  }

  private enqueue(pending: Promise<void>): Promise<void> {
    const tail: Promise<void> = pending
      .catch(() => undefined)
      .then(() => {
        if (this.queue === tail) this.queue = undefined;
      });
    this.queue = tail;
    return pending;
  }

  private async roll(): Promise<void> {
    if (this.closed) throw new RxRocketError('ERR_INDEX_CLOSED', 'the index service is closed');
    const previous = this.files.at(-1);
    const name = nextFileName(previous === undefined ? undefined : basename(previous.path));
    const start = previous ?? { endPhyOffset: 0, endTimestamp: 0 };
    this.writable = await IndexFile.open(join(this.dir, name), this.geometry, start);
    this.files.push(this.writable);
  }

  /** Writes every file's changes (the newest's entries included) and fdatasyncs. */
  flush(): Promise<void> {
    return this.exclusive(() => this.flushAll());
  }

  private async flushAll(): Promise<void> {
    if (this.queue !== undefined) await this.queue;
    // Oldest first: a rolled file's final header is on disk before anything of the file after it.
    for (const file of this.files) {
      await file.flush();
      this.flushedTs = Math.max(this.flushedTs, file.flushedEndTimestamp);
    }
  }

  /**
   * Newest-first physical offsets of entries whose key hash matches `${topic}#${key}` and whose second
   * overlaps [begin, end] (ms; entries keep whole seconds, so one up to 999 ms outside may come back),
   * at most `maxNum`, unflushed entries included. Callers re-check key (hash collisions) and time.
   */
  query(topic: string, key: string, maxNum: number, begin: number, end: number): Promise<IndexQueryResult> {
    const running = this.select(indexKeyHash(`${topic}#${key}`), maxNum, begin, end);
    this.queries.add(running);
    const done = (): void => void this.queries.delete(running);
    void running.then(done, done);
    return running;
  }

  private async select(hash: number, maxNum: number, begin: number, end: number): Promise<IndexQueryResult> {
    const files = [...this.files];
    const newest = files.at(-1);
    const physicalOffsets: number[] = [];
    for (let i = files.length - 1; i >= 0 && physicalOffsets.length < maxNum; i--) {
      const file = files[i]!;
      // The end's second stays open: a truncated file's end timestamp is rounded down to it.
      if (file.beginTimestamp <= end && file.endTimestamp + 999 >= begin) {
        await file.select(physicalOffsets, hash, maxNum, begin, end);
      }
    }
    return {
      physicalOffsets,
      lastUpdateTimestamp: newest?.endTimestamp ?? 0,
      lastUpdatePhysicalOffset: newest?.endPhyOffset ?? 0,
    };
  }

  /**
   * Recovery: drops every index entry at or past `commitLogEnd`, the end of the recovered CommitLog. Newest
   * files with no entry before it (or no entry at all) are deleted; the newest one left keeps its entries
   * before it, with the slot table rebuilt, and takes keys again if it has room. Deleting that file too, as
   * RocketMQ does, would lose entries a re-dispatch from the checkpoint does not bring back.
   */
  truncateBeyond(commitLogEnd: number): Promise<void> {
    return this.exclusive(async () => {
      if (this.queue !== undefined) await this.queue;
      let keep = this.files.length;
      const before = (file: IndexFile): boolean => file.indexCount > 1 && file.beginPhyOffset < commitLogEnd;
      while (keep > 0 && !before(this.files[keep - 1]!)) keep--;
      await this.drop(this.files.splice(keep));
      const last = this.files.at(-1);
      if (last !== undefined && last.endPhyOffset >= commitLogEnd) {
        await last.flush();
        await last.truncateTo(commitLogEnd);
        await last.flush();
      }
      this.flushedTs = 0;
      await this.settle();
    });
  }

  /** Retention: deletes the oldest files whose entries all lie before `commitLogMinOffset`, never the newest. */
  deleteExpired(commitLogMinOffset: number): Promise<void> {
    return this.exclusive(async () => {
      let n = 0;
      while (n < this.files.length - 1 && this.files[n]!.endPhyOffset < commitLogMinOffset) n++;
      await this.drop(this.files.splice(0, n));
    });
  }

  /** Flushes and closes every file; later adds that need a file fail. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.flushAll();
      this.closed = true;
      this.writable = undefined;
      await this.drop(this.files.splice(0), false);
    });
  }

  private async drop(files: readonly IndexFile[], destroy = true): Promise<void> {
    if (files.length === 0) return;
    await Promise.allSettled([...this.queries]);
    for (const file of files) await (destroy ? file.destroy() : file.close());
  }

  private exclusive(op: () => Promise<void>): Promise<void> {
    const run = this.maintenance.then(op);
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  /** Makes the newest file writable if it has room; finds the last message indexed and its keys in. */
  private async settle(): Promise<void> {
    const last = this.files.at(-1);
    this.writable = undefined;
    if (last !== undefined && !last.isFull) {
      await last.makeWritable();
      await last.flush();
      this.writable = last;
    }
    for (const file of this.files) this.flushedTs = Math.max(this.flushedTs, file.flushedEndTimestamp);
    this.lastOffset = -1;
    this.lastKeys = 0;
    for (let f = this.files.length - 1; f >= 0; f--) {
      const file = this.files[f]!;
      for (let i = file.indexCount - 1; i >= 1; i--) {
        const offset = await file.phyOffsetAt(i);
        if (this.lastOffset < 0) this.lastOffset = offset;
        if (offset !== this.lastOffset) return;
        this.lastKeys += 1;
      }
    }
  }
}

/** RocketMQ's name: creation time as yyyyMMddHHmmssSSS, local. Names must sort in creation order. */
function nextFileName(previous: string | undefined): string {
  const name = timeName(Date.now());
  return previous === undefined || name > previous ? name : timeName(parseTimeName(previous) + 1);
}

function timeName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

function parseTimeName(name: string): number {
  const n = (from: number, to: number): number => Number(name.slice(from, to));
  return new Date(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 17)).getTime();
}
