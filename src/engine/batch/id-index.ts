// Where each custom_id's line is in a batch's files, without holding the ids: a 100,000-request run's
// ids as strings in a Map cost about 200 bytes each on V8's heap (20 MB, and the collector's headroom
// over it) where a slot here costs 23 bytes in typed arrays, outside it. An id is kept as a 64-bit hash;
// the id itself stays in its line, and `idAt` reads it back when two ids share a hash, so that adding
// tells every distinct id apart. A lookup compares hashes only: a caller that reads the line checks
// its custom_id (batch-files.ts does), so a hash shared with an id never added cannot join a wrong line.

/** A line of one of the files: which file (0-based), where it starts and its length in bytes. */
export interface LinePlace {
  file: number;
  offset: number;
  length: number;
}

const FIRST_CAPACITY = 1024;
const MAX_LOAD = 0.7;

let hashHigh = 0;
let hashLow = 0;

/** A 64-bit hash of `text` into hashHigh/hashLow (cyrb53's mixing, both halves kept): no garbage per call. */
function hash(text: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hashHigh = h2 >>> 0;
  hashLow = h1 >>> 0;
}

export class IdIndex {
  private capacity = FIRST_CAPACITY;
  private high = new Uint32Array(FIRST_CAPACITY);
  private low = new Uint32Array(FIRST_CAPACITY);
  /** The file plus one: 0 is an empty slot. */
  private files = new Uint16Array(FIRST_CAPACITY);
  private offsets = new Float64Array(FIRST_CAPACITY);
  private lengths = new Uint32Array(FIRST_CAPACITY);
  private marks = new Uint8Array(FIRST_CAPACITY);
  private count = 0;

  /** `idAt` reads the id of an indexed line back (only when an id added shares its hash with one indexed). */
  constructor(private readonly idAt: (place: LinePlace) => string) {}

  get size(): number {
    return this.count;
  }

  /** The slot of `id` (added before), or -1. Hashes only: see the file's comment. */
  find(id: string): number {
    hash(id);
    for (let slot = this.home(); this.files[slot] !== 0; slot = (slot + 1) & (this.capacity - 1)) {
      if (this.high[slot] === hashHigh && this.low[slot] === hashLow) return slot;
    }
    return -1;
  }

  /** The slot of `id`, told apart from any other id of its hash by reading ids back; -1 when it was never added. */
  findExact(id: string): number {
    hash(id);
    const high = hashHigh;
    const low = hashLow;
    for (let slot = this.home(); this.files[slot] !== 0; slot = (slot + 1) & (this.capacity - 1)) {
      if (this.high[slot] === high && this.low[slot] === low && this.idAt(this.place(slot)) === id) return slot;
    }
    return -1;
  }

  /** Adds `id` at `place` with `marks`, or, when it is indexed already, returns its slot unchanged (`added` false). */
  add(id: string, place: LinePlace, marks: number): { slot: number; added: boolean } {
    const existing = this.findExact(id);
    if (existing >= 0) return { slot: existing, added: false };
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    hash(id);
    let slot = this.home();
    while (this.files[slot] !== 0) slot = (slot + 1) & (this.capacity - 1);
    this.high[slot] = hashHigh;
    this.low[slot] = hashLow;
    this.put(slot, place, marks);
    this.count += 1;
    return { slot, added: true };
  }

  place(slot: number): LinePlace {
    return { file: this.files[slot]! - 1, offset: this.offsets[slot]!, length: this.lengths[slot]! };
  }

  /** Moves a slot's id to another line. */
  put(slot: number, place: LinePlace, marks: number): void {
    this.files[slot] = place.file + 1;
    this.offsets[slot] = place.offset;
    this.lengths[slot] = place.length;
    this.marks[slot] = marks;
  }

  marksOf(slot: number): number {
    return this.marks[slot]!;
  }

  mark(slot: number, marks: number): void {
    this.marks[slot] = this.marks[slot]! | marks;
  }

  /** Every slot in use. */
  *slots(): Generator<number> {
    for (let slot = 0; slot < this.capacity; slot++) if (this.files[slot] !== 0) yield slot;
  }

  private home(): number {
    return (hashLow ^ hashHigh) & (this.capacity - 1);
  }

  private grow(): void {
    const old = { high: this.high, low: this.low, files: this.files, offsets: this.offsets, lengths: this.lengths, marks: this.marks, capacity: this.capacity };
    this.capacity *= 2;
    this.high = new Uint32Array(this.capacity);
    this.low = new Uint32Array(this.capacity);
    this.files = new Uint16Array(this.capacity);
    this.offsets = new Float64Array(this.capacity);
    this.lengths = new Uint32Array(this.capacity);
    this.marks = new Uint8Array(this.capacity);
    for (let from = 0; from < old.capacity; from++) {
      if (old.files[from] === 0) continue;
      hashHigh = old.high[from]!;
      hashLow = old.low[from]!;
      let slot = this.home();
      while (this.files[slot] !== 0) slot = (slot + 1) & (this.capacity - 1);
      this.high[slot] = hashHigh;
      this.low[slot] = hashLow;
      this.files[slot] = old.files[from]!;
      this.offsets[slot] = old.offsets[from]!;
      this.lengths[slot] = old.lengths[from]!;
      this.marks[slot] = old.marks[from]!;
    }
  }
}
