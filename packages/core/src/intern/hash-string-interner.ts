import type { StringInterner, StringInternerStats } from '../contracts/string-interner.js';

export interface HashStringInternerOptions {
  /** Table slots (rounded up to a power of two); the most strings ever held. Default 4096. */
  readonly capacity?: number;
  /** Longer strings are decoded but never stored. Default 128. */
  readonly maxLength?: number;
  /** Strings stored up front and never evicted (e.g. the QPACK static-table names). */
  readonly preload?: readonly string[];
}

const PROBES = 4;

/**
 * A fixed-size open-addressing cache from byte strings to JS strings (FNV-1a over the bytes, 4 probes).
 * When all probe slots are taken, the first unpinned one is overwritten: memory stays bounded no matter what a
 * peer sends, and a flood of new names only costs misses.
 */
export class HashStringInterner implements StringInterner {
  private readonly mask: number;
  private readonly maxLength: number;
  private readonly strings: (string | undefined)[];
  private readonly hashes: Int32Array;
  private readonly pinned: Uint8Array;
  private hits = 0;
  private misses = 0;
  private entries = 0;

  constructor(options: HashStringInternerOptions = {}) {
    let cap = 16;
    while (cap < (options.capacity ?? 4096)) cap <<= 1;
    this.mask = cap - 1;
    this.maxLength = options.maxLength ?? 128;
    this.strings = new Array(cap);
    this.hashes = new Int32Array(cap);
    this.pinned = new Uint8Array(cap);
    for (const s of options.preload ?? []) this.store(s, hashString(s), true);
  }

  intern(value: string): string {
    if (value.length > this.maxLength) return value;
    const h = hashString(value);
    for (let i = 0; i < PROBES; i++) {
      const slot = (h + i) & this.mask;
      if (this.hashes[slot] === h && this.strings[slot] === value) {
        this.hits++;
        return this.strings[slot]!;
      }
    }
    this.misses++;
    this.store(value, h, false);
    return value;
  }

  internBytes(bytes: Uint8Array, offset: number, length: number): string {
    if (length > this.maxLength) return latin1(bytes, offset, length);
    const h = hashBytes(bytes, offset, length);
    for (let i = 0; i < PROBES; i++) {
      const slot = (h + i) & this.mask;
      const s = this.strings[slot];
      if (s !== undefined && this.hashes[slot] === h && equalsLatin1(s, bytes, offset, length)) {
        this.hits++;
        return s;
      }
    }
    this.misses++;
    const s = latin1(bytes, offset, length);
    this.store(s, h, false);
    return s;
  }

  stats(): StringInternerStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries };
  }

  private store(s: string, h: number, pin: boolean): void {
    let victim = -1;
    for (let i = 0; i < PROBES; i++) {
      const slot = (h + i) & this.mask;
      if (this.strings[slot] === undefined) {
        victim = slot;
        this.entries++;
        break;
      }
      if (victim < 0 && !this.pinned[slot]) victim = slot;
    }
    if (victim < 0) return; // every probe slot is pinned: leave it uncached
    this.strings[victim] = s;
    this.hashes[victim] = h;
    this.pinned[victim] = pin ? 1 : 0;
  }
}

// FNV-1a, 32-bit; strings hash their char codes so that a Latin-1 string and its bytes hash alike.
function hashBytes(b: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = offset, end = offset + length; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h | 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

function equalsLatin1(s: string, b: Uint8Array, offset: number, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) if (s.charCodeAt(i) !== b[offset + i]) return false;
  return true;
}

/** Exact Latin-1 decoding (one char per byte; TextDecoder's "latin1" is really windows-1252). */
export function latin1(b: Uint8Array, offset: number, length: number): string {
  if (length <= 32) {
    let s = '';
    for (let i = offset, end = offset + length; i < end; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  let s = '';
  for (let i = offset, end = offset + length; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}
