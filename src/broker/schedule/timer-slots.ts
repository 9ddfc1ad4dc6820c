import { appendFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readLong, writeLong } from '../../protocol/long-field.js';

/** One waiting timer message: where its record is and when it is due. */
export interface SlotEntry {
  readonly deliverAt: number;
  readonly physicalOffset: number;
  readonly size: number;
  /** Its offset in the timer topic's ConsumeQueue, for reading the files by hand. */
  readonly queueOffset: number;
}

/** int magic, int size, long deliverAt, long physicalOffset, long queueOffset. */
export const SLOT_ENTRY_SIZE = 32;
const SLOT_MAGIC = 0x54494d52;
const NAME_DIGITS = 20;

export function encodeSlotEntries(entries: readonly SlotEntry[]): Buffer {
  const buf = Buffer.alloc(entries.length * SLOT_ENTRY_SIZE);
  entries.forEach((entry, i) => {
    const at = i * SLOT_ENTRY_SIZE;
    buf.writeInt32BE(SLOT_MAGIC, at);
    buf.writeInt32BE(entry.size, at + 4);
    writeLong(buf, at + 8, entry.deliverAt);
    writeLong(buf, at + 16, entry.physicalOffset);
    writeLong(buf, at + 24, entry.queueOffset);
  });
  return buf;
}

/**
 * The entries of a slot file, due time first (file order among equals). A torn tail or a unit without the
 * magic ends the data; an entry seen twice (re-enqueued after a crash) counts once.
 */
export function decodeSlotEntries(buf: Buffer): SlotEntry[] {
  const seen = new Set<number>();
  const entries: SlotEntry[] = [];
  for (let at = 0; at + SLOT_ENTRY_SIZE <= buf.length; at += SLOT_ENTRY_SIZE) {
    if (buf.readInt32BE(at) !== SLOT_MAGIC) break;
    const physicalOffset = readLong(buf, at + 16);
    if (seen.has(physicalOffset)) continue;
    seen.add(physicalOffset);
    entries.push({
      size: buf.readInt32BE(at + 4),
      deliverAt: readLong(buf, at + 8),
      physicalOffset,
      queueOffset: readLong(buf, at + 24),
    });
  }
  return entries.sort((a, b) => a.deliverAt - b.deliverAt);
}

const slotName = (slot: number): string => String(slot).padStart(NAME_DIGITS, '0');

/**
 * The timing wheel on disk, as slot files by time: store/timer/slots/<slot start ms>, one per precision
 * window that has messages waiting, appended as messages are enqueued and removed once every message in
 * it has been delivered. Only windows with messages cost a file, so the wheel has no size limit and no
 * wrap-around; what is pending is exactly the files present.
 */
export class TimerSlots {
  /** Slot start times with a file, ascending. */
  private readonly slots: number[] = [];

  private constructor(
    private readonly dir: string,
    readonly precisionMs: number,
  ) {}

  static async open(dir: string, precisionMs: number): Promise<TimerSlots> {
    await mkdir(dir, { recursive: true });
    const wheel = new TimerSlots(dir, precisionMs);
    for (const name of await readdir(dir)) {
      if (/^\d+$/.test(name)) wheel.slots.push(Number(name));
    }
    wheel.slots.sort((a, b) => a - b);
    return wheel;
  }

  slotOf(deliverAt: number): number {
    return Math.floor(deliverAt / this.precisionMs) * this.precisionMs;
  }

  /** A slot is due once its whole window has passed: no message in it is due later than that. */
  isDue(slot: number, now: number): boolean {
    return slot + this.precisionMs <= now;
  }

  /** Slots whose window has passed, oldest first. */
  dueSlots(now: number): number[] {
    const due: number[] = [];
    for (const slot of this.slots) {
      if (!this.isDue(slot, now)) break;
      due.push(slot);
    }
    return due;
  }

  /** When the oldest slot comes due; undefined without any. */
  nextDueAt(): number | undefined {
    const first = this.slots[0];
    return first === undefined ? undefined : first + this.precisionMs;
  }

  get pendingSlots(): number {
    return this.slots.length;
  }

  /** Appends each entry to the file of the slot of `fileAt(entry)` (its due time by default), one write per slot. */
  async append(
    entries: readonly SlotEntry[],
    fileAt: (entry: SlotEntry) => number = (entry) => entry.deliverAt,
  ): Promise<void> {
    const bySlot = new Map<number, SlotEntry[]>();
    for (const entry of entries) {
      const slot = this.slotOf(fileAt(entry));
      const group = bySlot.get(slot);
      if (group === undefined) bySlot.set(slot, [entry]);
      else group.push(entry);
    }
    for (const [slot, group] of bySlot) {
      await appendFile(join(this.dir, slotName(slot)), encodeSlotEntries(group));
      this.add(slot);
    }
  }

  async read(slot: number): Promise<SlotEntry[]> {
    try {
      return decodeSlotEntries(await readFile(join(this.dir, slotName(slot))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async remove(slot: number): Promise<void> {
    await rm(join(this.dir, slotName(slot)), { force: true });
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
  }

  private add(slot: number): void {
    let lo = 0;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slots[mid]! < slot) lo = mid + 1;
      else hi = mid;
    }
    if (this.slots[lo] !== slot) this.slots.splice(lo, 0, slot);
  }
}
