import { type FileHandle, open, rm } from 'node:fs/promises';
import { RxRocketError } from '../../errors.js';
import { readLong, writeLong } from '../../protocol/long-field.js';

const HEADER_SIZE = 40;
const ENTRY_SIZE = 20;
const PAGE_SHIFT = 12;
/** Appended entries wait for their flush in chunks of 2^13 entries (160 KiB). */
const CHUNK_SHIFT = 13;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
/** Up to this many clean pages between dirty ones are rewritten rather than costing another write. */
const PAGE_GAP = 8;
const REBUILD_BATCH = 65536;

export interface IndexGeometry {
  readonly maxHashSlotNum: number;
  readonly maxIndexNum: number;
}

/**
 * One RocketMQ index file. Node has no mmap, so the file taking keys keeps its slot table in memory with a
 * bitmap of the 4 KiB pages puts changed, and the entries added since the last flush; flushed full files
 * answer queries with preads through the page cache.
 */
export class IndexFile {
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  /** The header's end timestamp as of the last completed flush. */
  flushedEndTimestamp = 0;
  /** Entry 0 is never used, as in RocketMQ. */
  indexCount = 1;
  private hashSlotCount = 0;
  private slots: Buffer | undefined;
  private readonly dirty: Uint32Array;
  private headerDirty = false;
  /** Entries below this index are in the file; the others only in `chunks`. */
  private writtenCount = 1;
  private chunks: Buffer[] = [];
  private firstChunk = 0;
  private readonly slotNum: number;
  private readonly entriesAt: number;

  private constructor(
    readonly path: string,
    private readonly geometry: IndexGeometry,
    private readonly handle: FileHandle,
  ) {
    this.slotNum = geometry.maxHashSlotNum;
    this.entriesAt = HEADER_SIZE + this.slotNum * 4;
    this.dirty = new Uint32Array((((this.entriesAt - 1) >>> PAGE_SHIFT) >>> 5) + 1);
  }

  /** Opens `path`, or creates it (sparse) to start where `after` ended; a created file takes keys at once. */
  static async open(
    path: string,
    g: IndexGeometry,
    after?: { readonly endPhyOffset: number; readonly endTimestamp: number },
  ): Promise<IndexFile> {
    const file = new IndexFile(path, g, await open(path, after === undefined ? 'r+' : 'wx+'));
    try {
      const size = after === undefined ? (await file.handle.stat()).size : 0;
      const expected = file.entriesAt + g.maxIndexNum * ENTRY_SIZE;
      // 0 bytes: a crash between creating and sizing; it reads as an empty file.
      if (size === 0) await file.handle.truncate(expected);
      else if (size !== expected) throw new RxRocketError('ERR_INDEX_FILE', `${path}: ${size} bytes`);
      if (after === undefined) return file.decodeHeader(await file.read(0, HEADER_SIZE));
      file.beginPhyOffset = file.endPhyOffset = after.endPhyOffset;
      file.beginTimestamp = file.endTimestamp = file.flushedEndTimestamp = after.endTimestamp;
      file.slots = Buffer.alloc(file.slotNum * 4);
      file.headerDirty = true;
      return file;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  private decodeHeader(header: Buffer): this {
    this.beginTimestamp = readLong(header, 0);
    this.endTimestamp = this.flushedEndTimestamp = readLong(header, 8);
    this.beginPhyOffset = readLong(header, 16);
    this.endPhyOffset = readLong(header, 24);
    this.hashSlotCount = header.readInt32BE(32);
    // A header that never reached the disk reads as zeros: no entries.
    this.indexCount = this.writtenCount = Math.max(1, header.readInt32BE(36));
    this.firstChunk = this.indexCount >>> CHUNK_SHIFT;
    if (this.indexCount <= this.geometry.maxIndexNum) return this;
    throw new RxRocketError('ERR_INDEX_FILE', `${this.path}: index count ${this.indexCount} > maximum`);
  }

  get isFull(): boolean {
    return this.indexCount >= this.geometry.maxIndexNum;
  }

  /** Reads the slot table to take keys again; a crash mid-flush can leave slots past the count: rebuild. */
  async makeWritable(): Promise<void> {
    if (this.slots !== undefined) return;
    const slots = (this.slots = await this.read(HEADER_SIZE, this.slotNum * 4));
    for (let at = 0; at < slots.length; at += 4) {
      const value = slots.readInt32BE(at);
      if (value < 0 || value >= this.indexCount) return this.truncateTo(Infinity);
    }
  }

  /** Appends one entry at the head of its slot's chain. Only for a writable file that is not full. */
  put(hash: number, phyOffset: number, storeTimestamp: number): void {
    const slots = this.slots!;
    const slotAt = (hash % this.slotNum) * 4;
    const index = this.indexCount;
    let prev = slots.readInt32BE(slotAt);
    if (prev <= 0 || prev >= index) prev = 0;
    // RocketMQ diffs the first entry against the previous file's end, then moves the begin; this does not.
    if (index <= 1) {
      this.beginPhyOffset = phyOffset;
      this.beginTimestamp = storeTimestamp;
    }
    const diff = Math.min(0x7fffffff, Math.max(0, Math.floor((storeTimestamp - this.beginTimestamp) / 1000)));
    let chunk = this.chunks[(index >>> CHUNK_SHIFT) - this.firstChunk];
    if (chunk === undefined) {
      const entries = Math.min(CHUNK_MASK + 1, this.geometry.maxIndexNum - (index & ~CHUNK_MASK));
      this.chunks.push((chunk = Buffer.allocUnsafe(entries * ENTRY_SIZE)));
    }
    const at = (index & CHUNK_MASK) * ENTRY_SIZE;
    chunk.writeInt32BE(hash, at);
    writeLong(chunk, at + 4, phyOffset);
    chunk.writeInt32BE(diff, at + 12);
    chunk.writeInt32BE(prev, at + 16);
    slots.writeInt32BE(index, slotAt);
    const page = (HEADER_SIZE + slotAt) >>> PAGE_SHIFT;
    this.dirty[page >>> 5]! |= 1 << (page & 31);
    this.indexCount = index + 1;
    this.hashSlotCount += 1;
    this.endPhyOffset = phyOffset;
    this.endTimestamp = storeTimestamp;
    this.headerDirty = true;
  }

  /**
   * Entries and dirty slot pages, fdatasync, then the header, fdatasync: after a crash the header's count
   * never covers entries that missed the disk. The service runs one flush at a time.
   */
  async flush(): Promise<void> {
    if (!this.headerDirty) return;
    const from = this.writtenCount;
    const to = this.indexCount;
    const entries = Buffer.allocUnsafe((to - from) * ENTRY_SIZE);
    for (let i = from; i < to; i = ((i >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT) {
      const end = Math.min(to - (i & ~CHUNK_MASK), CHUNK_MASK + 1) * ENTRY_SIZE;
      const chunk = this.chunks[(i >>> CHUNK_SHIFT) - this.firstChunk]!;
      chunk.copy(entries, (i - from) * ENTRY_SIZE, (i & CHUNK_MASK) * ENTRY_SIZE, end);
    }
    const pages = this.takeDirtyPages();
    const header = Buffer.allocUnsafe(HEADER_SIZE);
    writeLong(header, 0, this.beginTimestamp);
    writeLong(header, 8, this.endTimestamp);
    writeLong(header, 16, this.beginPhyOffset);
    writeLong(header, 24, this.endPhyOffset);
    header.writeInt32BE(this.hashSlotCount, 32);
    header.writeInt32BE(this.indexCount, 36);
    const endTimestamp = this.endTimestamp;
    this.headerDirty = false;
    try {
      await writeAt(this.handle, entries, this.entriesAt + from * ENTRY_SIZE);
      for (const [position, bytes] of pages) await writeAt(this.handle, bytes, position);
      this.writtenCount = to;
      this.chunks.splice(0, (to >>> CHUNK_SHIFT) - this.firstChunk);
      this.firstChunk = to >>> CHUNK_SHIFT;
      if (entries.length > 0 || pages.length > 0) await this.handle.datasync();
      await writeAt(this.handle, header, 0);
      await this.handle.datasync();
    } catch (error) {
      this.headerDirty = true;
      this.dirty.fill(0xffffffff);
      throw error;
    }
    this.flushedEndTimestamp = endTimestamp;
    // A full, written file never changes again: its slots come from the page cache from now on.
    if (this.isFull && !this.headerDirty) this.slots = undefined;
  }

  /** Copies of the dirty slot pages (as [position, bytes]), so puts made during the writes wait for the next. */
  private takeDirtyPages(): [number, Buffer][] {
    const runs: [number, Buffer][] = [];
    const slots = this.slots;
    if (slots === undefined) return runs;
    let first = -1;
    let last = -1;
    const emit = (): void => {
      const position = Math.max(HEADER_SIZE, first << PAGE_SHIFT);
      const end = Math.min(this.entriesAt, (last + 1) << PAGE_SHIFT);
      runs.push([position, Buffer.from(slots.subarray(position - HEADER_SIZE, end - HEADER_SIZE))]);
    };
    const pages = ((this.entriesAt - 1) >>> PAGE_SHIFT) + 1;
    for (let page = 0; page < pages; page++) {
      if (((this.dirty[page >>> 5]! >>> (page & 31)) & 1) === 0) continue;
      if (first >= 0 && page - last > PAGE_GAP) emit();
      if (first < 0 || page - last > PAGE_GAP) first = page;
      last = page;
    }
    if (first >= 0) emit();
    this.dirty.fill(0);
    return runs;
  }

  /**
   * Appends `hash`'s offsets newest-first to `out`, up to `maxNum`. Entries keep whole seconds, so one matches
   * when its second overlaps [begin, end]: one up to 999 ms outside may come back, none inside is missed.
   */
  async select(out: number[], hash: number, maxNum: number, begin: number, end: number): Promise<void> {
    const count = this.indexCount;
    if (count <= 1) return;
    const slotAt = (hash % this.slotNum) * 4;
    let index = this.slots?.readInt32BE(slotAt) ?? (await this.read(HEADER_SIZE + slotAt, 4)).readInt32BE(0);
    if (index <= 0 || index >= count) return;
    while (out.length < maxNum) {
      const [buf, at] = await this.entryBytes(index);
      const timeDiff = buf.readInt32BE(at + 12);
      const prev = buf.readInt32BE(at + 16);
      const time = this.beginTimestamp + timeDiff * 1000;
      if (timeDiff < 0) return;
      if (buf.readInt32BE(at) === hash && time <= end && time + 999 >= begin) out.push(readLong(buf, at + 4));
      // Chains only point backwards: anything else is damage, and refusing it keeps the walk finite.
      if (time + 999 < begin || prev <= 0 || prev >= index) return;
      index = prev;
    }
  }

  async phyOffsetAt(index: number): Promise<number> {
    const [buf, at] = await this.entryBytes(index);
    return readLong(buf, at + 4);
  }

  private async entryBytes(index: number): Promise<[Buffer, number]> {
    if (index < this.writtenCount)
      return [await this.read(this.entriesAt + index * ENTRY_SIZE, ENTRY_SIZE), 0];
    return [this.chunks[(index >>> CHUNK_SHIFT) - this.firstChunk]!, (index & CHUNK_MASK) * ENTRY_SIZE];
  }

  /**
   * Recovery, on a flushed file: keeps the entries before the first one at or past `phyEnd` (or out of
   * offset order) and rebuilds the slot table from them, reading each once. The next flush writes it all.
   */
  async truncateTo(phyEnd: number): Promise<void> {
    const slots = Buffer.alloc(this.slotNum * 4);
    let keep = 1;
    let lastPhy = this.beginPhyOffset;
    let lastDiff = 0;
    scan: for (let from = 1; from < this.indexCount; from += REBUILD_BATCH) {
      const n = Math.min(REBUILD_BATCH, this.indexCount - from);
      const buf = await this.read(this.entriesAt + from * ENTRY_SIZE, n * ENTRY_SIZE);
      for (let at = 0; at < n * ENTRY_SIZE; at += ENTRY_SIZE, keep++) {
        const hash = buf.readInt32BE(at);
        const phy = readLong(buf, at + 4);
        if (phy >= phyEnd || phy < lastPhy || hash < 0) break scan;
        slots.writeInt32BE(keep, (hash % this.slotNum) * 4);
        lastPhy = phy;
        lastDiff = buf.readInt32BE(at + 12);
      }
    }
    if (keep < this.indexCount) {
      this.hashSlotCount = Math.max(0, this.hashSlotCount - (this.indexCount - keep));
      this.indexCount = this.writtenCount = keep;
      this.chunks = [];
      this.firstChunk = keep >>> CHUNK_SHIFT;
      this.endPhyOffset = lastPhy;
      // Entries keep whole seconds; rounding down keeps the checkpoint on the safe side.
      this.endTimestamp = this.beginTimestamp + lastDiff * 1000;
    }
    this.slots = slots;
    this.dirty.fill(0xffffffff);
    this.headerDirty = true;
  }

  /** The file is sized at creation, so a pread of it comes back whole. */
  private async read(position: number, length: number): Promise<Buffer> {
    return (await this.handle.read(Buffer.alloc(length), 0, length, position)).buffer;
  }

  /** Closes the file without flushing; the service lets running queries finish first. */
  async close(): Promise<void> {
    await this.handle.close();
  }

  async destroy(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

async function writeAt(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
  }
}
