// RFC 9204 §2.1 / §4.3-§4.5: the QPACK encoder (sans-I/O). The HTTP/3 layer sends what `encodeFieldSection` returns
// in HEADERS frames, what `pollEncoderStream` returns on its encoder stream, and feeds `handleDecoderStream` with
// the peer's decoder stream.

import { BufferOverflowError, type StringInterner } from '@fos/core';
import { ByteSink, PendingInput } from './byte-sink.js';
import { DecoderInstructionKind, readDecoderInstruction } from './decoder-instructions.js';
import { entrySize, maxEntries } from './dynamic-table.js';
import {
  writeDuplicate,
  writeInsertWithLiteralName,
  writeInsertWithNameRef,
  writeSetCapacity,
} from './encoder-instructions.js';
import { EncoderTable } from './encoder-table.js';
import { QpackDecoderStreamError } from './errors.js';
import {
  encodedSizeBound,
  writeFieldSectionPrefix,
  writeIndexedDynamic,
  writeIndexedPostBase,
  writeIndexedStatic,
  writeLiteralWithLiteralName,
  writeLiteralWithNameRef,
  writeLiteralWithPostBaseNameRef,
} from './field-lines.js';
import { INSERT_IF_FREE, INSERT_NO, InsertionAdvisor } from './insertion-advisor.js';
import { defaultInterner } from './interner.js';
import type { QpackCursor } from './prefixed-int.js';
import { SectionTracker } from './section-tracker.js';
import { STATIC_BY_NAME, type StaticNameInfo } from './static-table.js';

/**
 * The default never-index policy (RFC 9204 §7.1.3): `authorization`, `proxy-authorization` and `set-cookie` are
 * always sent as never-indexed literals; `cookie` values shorter than 20 bytes too (low entropy, so guessable by
 * probing the table), while longer cookie values, which a prober cannot guess, are indexed. Names are lowercase
 * (RFC 9114 §4.2).
 */
export function defaultIsSensitive(name: string, value: string): boolean {
  switch (name) {
    case 'authorization':
    case 'proxy-authorization':
    case 'set-cookie':
      return true;
    case 'cookie':
      return value.length < 20;
    default:
      return false;
  }
}

/** Options of `QpackEncoder`. The `max*` values are the peer decoder's settings (RFC 9204 §5). */
export interface QpackEncoderOptions {
  /**
   * The peer's SETTINGS_QPACK_MAX_TABLE_CAPACITY. Default 0 (RFC 9204 §3.2.3: until the peer's SETTINGS arrive, or
   * the value remembered for 0-RTT); update it with `setPeerSettings`.
   */
  readonly maxTableCapacity?: number;
  /** The peer's SETTINGS_QPACK_BLOCKED_STREAMS. Default 0 (only acknowledged entries are referenced). */
  readonly maxBlockedStreams?: number;
  /** The most dynamic table capacity this encoder will use, whatever the peer allows (its memory budget). Default 4096. */
  readonly capacityLimit?: number;
  /** Huffman-code strings when that is shorter (RFC 9204 §4.1.2). Default true. */
  readonly huffman?: boolean;
  /**
   * Insert into the dynamic table automatically (default true). With false the table changes only through
   * `setDynamicTableCapacity` / `insert` / `duplicate`, and field sections reference what is there.
   */
  readonly autoInsert?: boolean;
  /** The never-index policy, replacing `defaultIsSensitive`. Sensitive fields are never inserted or indexed. */
  readonly isSensitive?: (name: string, value: string) => boolean;
  /** Interns the names stored in the dynamic table (default: the shared static-name-preloaded interner). */
  readonly interner?: StringInterner;
}

/** Per-call options of `encodeFieldSection`. */
export interface EncodeOptions {
  /**
   * Field numbers (index i means `fields[2i]`) to send as never-indexed literals in addition to the policy, e.g. the
   * `neverIndexed` list a decoder reported when forwarding (RFC 9204 §7.1.3).
   */
  readonly neverIndexed?: readonly number[];
  /**
   * Advanced: the Base to use (0 ≤ base ≤ insert count). By default Base = Required Insert Count, which makes every
   * reference pre-Base and the Delta Base one zero byte (§4.5.1.2); a lower Base makes newer entries post-Base.
   */
  readonly base?: number;
}

/** One dynamic table entry with its reference count, as the encoder sees it (diagnostics and tests). */
export interface EncoderTableEntry {
  readonly index: number;
  readonly name: string;
  readonly value: string;
  /** Unacknowledged field sections referencing the entry. */
  readonly refs: number;
}

/** The encoder's dynamic table state (diagnostics and tests). */
export interface EncoderTableSnapshot {
  readonly entries: EncoderTableEntry[];
  readonly size: number;
  readonly capacity: number;
  readonly insertCount: number;
  readonly knownReceivedCount: number;
  /** Streams that could currently be blocked at the decoder (§2.1.2). */
  readonly blockingStreams: number;
}

// Plan kinds (per field, first pass), OR-ed with NEVER.
const STATIC_INDEXED = 0;
const DYNAMIC_INDEXED = 1;
const LITERAL_STATIC_NAME = 2;
const LITERAL_DYNAMIC_NAME = 3;
const LITERAL_LITERAL_NAME = 4;
const NEVER = 8;
// Transient plan kinds between the two planning passes.
const PENDING = 5;
const DUPLICATE_THEN_INDEX = 6;
const DUPLICATE_LATER = 16;

// Strategy constants, tuned on the qifs corpus (bench/src/qpack/compression.test.ts); see README.md.
/** The draining zone is at least this share of the capacity (§2.1.1.1) … */
const DRAIN_FRACTION = 1 / 32;
/** … grows to the size of the lines a section may insert, and never covers more than this share. */
const MAX_DRAIN_FRACTION = 0.5;
/** Entries larger than this share of the capacity are never inserted: they would flush the table. */
const MAX_ENTRY_FRACTION = 0.75;
/** Use credit an entry can accumulate (one per match): evictions it survives without further matches. */
const MAX_CREDIT = 3;
/** Entries one insertion may move to the head of the table instead of evicting them. */
const SECOND_CHANCES = 8;
/** Unacknowledged field sections with dynamic references tracked at most (RFC 9204 §7.3). */
const MAX_OUTSTANDING_SECTIONS = 1024;
/** Without the blocking budget, further unacknowledged inserts are limited to this share of the capacity. */
const UNACKED_FRACTION = 0.25;

/**
 * The QPACK encoder (RFC 9204 §2.1). For each field line it picks the cheapest representation it may use: a static
 * entry; a dynamic entry that is acknowledged, or any while the peer's blocked-streams budget allows (§2.1.2);
 * otherwise a literal with the cheapest name reference. Lines not in the table are inserted when an
 * `InsertionAdvisor` expects them to repeat and they fit without evicting entries still in use (§2.1.1). Matched
 * entries in the draining zone are duplicated rather than referenced (§2.1.1.1), and entries about to be evicted
 * that were matched since their insertion are duplicated to the head of the table instead (second-chance
 * eviction). Sensitive lines never touch the dynamic table and carry the N bit (§7.1.3).
 */
export class QpackEncoder {
  private readonly table = new EncoderTable();
  private readonly advisor = new InsertionAdvisor();
  private peerMaxTableCapacity: number;
  private peerMaxBlockedStreams: number;
  private maxEntries: number;
  private readonly capacityLimit: number;
  private readonly huffman: boolean;
  private readonly autoInsert: boolean;
  private readonly isSensitive: (name: string, value: string) => boolean;
  private readonly interner: StringInterner;
  /** Whether a Set Dynamic Table Capacity was sent (RFC 9204 §3.2.2: the capacity starts at 0). */
  private capacitySet = false;
  private readonly encoderStream = new ByteSink(256);
  private readonly pending = new PendingInput();
  private readonly cursor: QpackCursor = { buf: new Uint8Array(0), pos: 0, end: 0 };
  private readonly operand = { value: 0 };
  private readonly sections = new SectionTracker(this.table);
  // Per-section scratch, reused.
  private planKind = new Uint8Array(64);
  private planIndex = new Int32Array(64);
  private neverMarks = new Uint8Array(64);
  private sectionRefs: number[] = [];
  private serial = 0;
  /** Largest absolute index the section being planned references (-1: none). */
  private maxRef = -1;
  private scratch = new Uint8Array(1024);

  constructor(options: QpackEncoderOptions = {}) {
    this.peerMaxTableCapacity = options.maxTableCapacity ?? 0;
    this.peerMaxBlockedStreams = options.maxBlockedStreams ?? 0;
    this.maxEntries = maxEntries(this.peerMaxTableCapacity);
    this.capacityLimit = options.capacityLimit ?? 4096;
    this.huffman = options.huffman ?? true;
    this.autoInsert = options.autoInsert ?? true;
    this.isSensitive = options.isSensitive ?? defaultIsSensitive;
    this.interner = options.interner ?? defaultInterner();
  }

  /**
   * Applies the peer's SETTINGS (RFC 9204 §5). RFC 9204 §3.2.3: when the table was already used with a remembered
   * (0-RTT) non-zero capacity, a different value is a QPACK_DECODER_STREAM_ERROR.
   */
  setPeerSettings(settings: { maxTableCapacity?: number; maxBlockedStreams?: number }): void {
    const capacity = settings.maxTableCapacity ?? 0;
    if (this.capacitySet && this.peerMaxTableCapacity !== 0 && capacity !== this.peerMaxTableCapacity) {
      throw new QpackDecoderStreamError(
        `SETTINGS_QPACK_MAX_TABLE_CAPACITY ${capacity} differs from the remembered ${this.peerMaxTableCapacity}`,
      );
    }
    this.peerMaxTableCapacity = capacity;
    this.maxEntries = maxEntries(capacity);
    this.peerMaxBlockedStreams = settings.maxBlockedStreams ?? 0;
  }

  /** The encoder-stream bytes produced so far, owned by the caller; undefined when there are none. */
  pollEncoderStream(): Uint8Array | undefined {
    return this.encoderStream.take();
  }

  /**
   * Encodes a field section for `streamId` (fields as a flat `[name0, value0, name1, value1, …]` list of lowercase
   * byte strings) and returns it as a new array. Encoder-stream instructions it needs are queued for
   * `pollEncoderStream()`, which the caller must send (they may arrive after the section: the peer blocks on them).
   * Throws TypeError for a char code above 255 or an odd-length list.
   */
  encodeFieldSection(streamId: number, fields: readonly string[], options?: EncodeOptions): Uint8Array {
    const bound = encodedSizeBound(fields);
    if (this.scratch.length < bound) this.scratch = new Uint8Array(Math.max(bound, this.scratch.length * 2));
    const n = this.encode(streamId, fields, this.scratch, 0, options);
    return this.scratch.slice(0, n);
  }

  /**
   * `encodeFieldSection` into `out` from `offset`; returns the number of bytes written. `out` must have room for
   * `encodedSizeBound(fields)` bytes, else BufferOverflowError is thrown before anything changes.
   */
  encodeFieldSectionInto(
    streamId: number,
    fields: readonly string[],
    out: Uint8Array,
    offset = 0,
    options?: EncodeOptions,
  ): number {
    const bound = encodedSizeBound(fields);
    if (out.length - offset < bound) throw new BufferOverflowError(bound, out.length - offset);
    return this.encode(streamId, fields, out, offset, options) - offset;
  }

  /**
   * Feeds bytes received on the peer's decoder stream (RFC 9204 §4.4; instructions may be split across calls).
   * Throws QpackDecoderStreamError (a connection error) for an invalid instruction.
   */
  handleDecoderStream(bytes: Uint8Array): void {
    const c = this.cursor;
    this.pending.open(bytes, c);
    this.applyDecoderInstructions(c);
    this.pending.settle(c);
  }

  // ---- explicit table control (advanced; also what the automatic strategy uses) ----

  /**
   * Sends Set Dynamic Table Capacity (RFC 9204 §4.3.1). Throws RangeError above the peer's maximum (§3.2.3) or
   * when shrinking would evict an entry that is not evictable (§2.1.1).
   */
  setDynamicTableCapacity(capacity: number): void {
    if (capacity > this.peerMaxTableCapacity) {
      throw new RangeError(`capacity ${capacity} exceeds the peer's maximum ${this.peerMaxTableCapacity}`);
    }
    if (!this.table.canShrinkTo(capacity)) throw new RangeError('shrinking would evict entries still in use');
    writeSetCapacity(this.encoderStream, capacity);
    this.table.setCapacity(capacity);
    this.capacitySet = true;
  }

  /**
   * Inserts (name, value) (RFC 9204 §4.3.2 / §4.3.3, with a static, then dynamic, name reference when there is
   * one) and returns its absolute index. Throws RangeError when it cannot be inserted without evicting an entry in
   * use (§2.1.1).
   */
  insert(name: string, value: string): number {
    if (this.autoInsert) this.ensureCapacity();
    const abs = this.tryInsert(name, value, STATIC_BY_NAME.get(name));
    if (abs < 0) throw new RangeError('no room in the dynamic table');
    return abs;
  }

  /** Duplicates the entry at absolute index `index` (RFC 9204 §4.3.4); returns the new entry's absolute index. */
  duplicate(index: number): number {
    if (!this.table.has(index)) throw new RangeError(`entry ${index} is not in the dynamic table`);
    const abs = this.tryDuplicate(index);
    if (abs < 0) throw new RangeError('no room in the dynamic table');
    return abs;
  }

  /** The dynamic table with reference counts (diagnostics and tests). */
  tableSnapshot(): EncoderTableSnapshot {
    const t = this.table;
    const entries: EncoderTableEntry[] = [];
    for (let abs = t.dropped; abs < t.insertCount; abs++) {
      entries.push({ index: abs, name: t.name(abs), value: t.value(abs), refs: t.refCount(abs) });
    }
    return {
      entries,
      size: t.size,
      capacity: t.capacity,
      insertCount: t.insertCount,
      knownReceivedCount: t.knownReceivedCount,
      blockingStreams: this.sections.blockingStreams,
    };
  }

  // ---- encoding ----

  private encode(
    streamId: number,
    fields: readonly string[],
    out: Uint8Array,
    pos: number,
    options: EncodeOptions | undefined,
  ): number {
    if (fields.length & 1) throw new TypeError('fields must be a flat [name, value, …] list');
    const count = fields.length >>> 1;
    this.preparePlan(count, options?.neverIndexed);
    const t = this.table;
    this.serial = this.serial === 0x7fffffff ? 1 : this.serial + 1; // marks live in an Int32Array
    const serial = this.serial;
    const refs = this.sectionRefs;
    refs.length = 0;
    // §2.1.2: referencing an unacknowledged entry may block this stream; allowed while the peer's budget lasts.
    const canBlock = this.sections.isBlocking(streamId) || this.sections.blockingStreams < this.peerMaxBlockedStreams;
    // §7.3: tracking references costs memory; past the bound, stop using the dynamic table until acks arrive.
    const dynamic = this.sections.outstandingSections < MAX_OUTSTANDING_SECTIONS;
    if (this.autoInsert) this.ensureCapacity();
    this.maxRef = -1;
    try {
      const draining = this.planReferences(fields, count, serial, canBlock, dynamic);
      this.planRest(fields, count, serial, canBlock, dynamic, draining);
      const ric = this.maxRef + 1;
      const base = options?.base ?? ric;
      if (base < 0 || base > t.insertCount || !Number.isInteger(base)) {
        throw new RangeError(`base ${base} outside 0..${t.insertCount}`);
      }
      pos = writeFieldSectionPrefix(out, pos, ric, base, this.maxEntries);
      pos = this.writeLines(fields, count, base, out, pos);
      if (ric > 0) this.sections.record(streamId, ric, refs.slice());
      return pos;
    } catch (e) {
      for (let i = 0; i < refs.length; i++) t.releaseRef(refs[i]);
      throw e;
    }
  }

  /**
   * Pass 1: static matches, and references to dynamic entries that already hold the line (acknowledged ones, or any
   * while blocking is allowed). Taking those references first protects the entries: nothing the second pass inserts
   * can evict them (§2.1.1). Matched entries in the draining zone (§2.1.1.1) are duplicated instead, so that they do
   * not pin the oldest part of the table; the zone covers at least the lines this section may insert. Returns the
   * draining index.
   */
  private planReferences(
    fields: readonly string[],
    count: number,
    serial: number,
    canBlock: boolean,
    dynamic: boolean,
  ): number {
    const t = this.table;
    const kinds = this.planKind;
    let absentBytes = 0;
    for (let i = 0; i < count; i++) {
      const name = fields[2 * i];
      const value = fields[2 * i + 1];
      const s = STATIC_BY_NAME.get(name)?.values.get(value);
      if (s !== undefined) {
        kinds[i] = STATIC_INDEXED;
        this.planIndex[i] = s;
      } else if (this.neverMarks[i] === 1 || this.isSensitive(name, value)) {
        kinds[i] = PENDING | NEVER;
      } else if (!dynamic) {
        kinds[i] = PENDING;
      } else {
        // Without the blocking budget only acknowledged entries count (an older copy may be; §2.1.2).
        const abs = canBlock ? t.findExact(name, value) : t.findExactBelow(name, value, t.knownReceivedCount);
        kinds[i] = abs < 0 ? PENDING : DYNAMIC_INDEXED;
        this.planIndex[i] = abs;
        if (abs < 0) absentBytes += entrySize(name, value);
      }
    }
    if (!this.autoInsert) {
      for (let i = 0; i < count; i++) if (kinds[i] === DYNAMIC_INDEXED) this.addRef(this.planIndex[i], serial);
      return t.dropped;
    }
    const draining = this.drainingIndex(
      Math.min(t.capacity * MAX_DRAIN_FRACTION, Math.max(t.capacity * DRAIN_FRACTION, absentBytes)),
    );
    for (let i = 0; i < count; i++) {
      if (kinds[i] !== DYNAMIC_INDEXED) continue;
      const abs = this.planIndex[i];
      const credit = t.credit(abs);
      this.advisor.recordHit(fields[2 * i], credit === 0);
      if (credit < MAX_CREDIT) t.setCredit(abs, credit + 1);
      if (abs < draining) {
        // Blocking allowed: reference a duplicate instead (pass 2). Otherwise reference the acknowledged original
        // now and duplicate it for the sections to come.
        if (canBlock) {
          kinds[i] = DUPLICATE_THEN_INDEX;
          continue;
        }
        kinds[i] = DYNAMIC_INDEXED | DUPLICATE_LATER;
      }
      this.addRef(abs, serial);
    }
    return draining;
  }

  /** Pass 2: duplicates, inserts, and literals with the cheapest name reference. */
  private planRest(
    fields: readonly string[],
    count: number,
    serial: number,
    canBlock: boolean,
    dynamic: boolean,
    draining: number,
  ): void {
    const t = this.table;
    const kinds = this.planKind;
    for (let i = 0; i < count; i++) {
      const kind = kinds[i];
      if (kind === STATIC_INDEXED || kind === DYNAMIC_INDEXED) continue;
      if (kind === (DYNAMIC_INDEXED | DUPLICATE_LATER)) {
        kinds[i] = DYNAMIC_INDEXED;
        this.tryDuplicate(this.planIndex[i]);
        continue;
      }
      const name = fields[2 * i];
      const value = fields[2 * i + 1];
      const st = STATIC_BY_NAME.get(name);
      let abs = -1;
      if (kind === DUPLICATE_THEN_INDEX) {
        // §2.1.1.1: rather than reference a draining entry, reference a duplicate of it
        const original = this.planIndex[i];
        if (t.has(original)) {
          abs = this.tryDuplicate(original);
          if (abs < 0) abs = original;
        } else {
          abs = t.findExact(name, value); // an earlier duplicate in this pass evicted it
        }
      } else if (kind === PENDING && dynamic && this.autoInsert && this.worthInserting(name, value, canBlock)) {
        abs = this.tryInsert(name, value, st);
      }
      if (abs >= 0 && (abs < t.knownReceivedCount || canBlock)) {
        kinds[i] = DYNAMIC_INDEXED;
        this.planIndex[i] = abs;
        this.addRef(abs, serial);
        continue;
      }
      const never = kind & NEVER;
      if (st !== undefined) {
        kinds[i] = LITERAL_STATIC_NAME | never;
        this.planIndex[i] = st.index;
        continue;
      }
      const nameAbs = !dynamic ? -1 : canBlock ? t.findName(name) : t.findNameBelow(name, t.knownReceivedCount);
      if (nameAbs >= draining) {
        kinds[i] = LITERAL_DYNAMIC_NAME | never;
        this.planIndex[i] = nameAbs;
        this.addRef(nameAbs, serial);
        continue;
      }
      kinds[i] = LITERAL_LITERAL_NAME | never;
    }
  }

  /** References entry `abs` from the section being planned. */
  private addRef(abs: number, serial: number): void {
    if (this.table.addRef(abs, serial)) this.sectionRefs.push(abs);
    if (abs > this.maxRef) this.maxRef = abs;
  }

  private preparePlan(count: number, neverIndexed: readonly number[] | undefined): void {
    if (this.planKind.length < count) {
      let n = this.planKind.length;
      while (n < count) n *= 2;
      this.planKind = new Uint8Array(n);
      this.planIndex = new Int32Array(n);
      this.neverMarks = new Uint8Array(n);
    } else {
      this.neverMarks.fill(0, 0, count);
    }
    if (neverIndexed !== undefined) {
      for (let i = 0; i < neverIndexed.length; i++) {
        const f = neverIndexed[i];
        if (f >= 0 && f < count) this.neverMarks[f] = 1;
      }
    }
  }

  private writeLines(fields: readonly string[], count: number, base: number, out: Uint8Array, pos: number): number {
    const huffman = this.huffman;
    for (let i = 0; i < count; i++) {
      const plan = this.planKind[i];
      const index = this.planIndex[i];
      const never = (plan & NEVER) !== 0;
      switch (plan & ~NEVER) {
        case STATIC_INDEXED:
          pos = writeIndexedStatic(out, pos, index);
          break;
        case DYNAMIC_INDEXED:
          // §3.2.5 relative index below Base, §3.2.6 post-Base index at or above it
          pos =
            index < base
              ? writeIndexedDynamic(out, pos, base - 1 - index)
              : writeIndexedPostBase(out, pos, index - base);
          break;
        case LITERAL_STATIC_NAME:
          pos = writeLiteralWithNameRef(out, pos, never, true, index, fields[2 * i + 1], huffman);
          break;
        case LITERAL_DYNAMIC_NAME:
          pos =
            index < base
              ? writeLiteralWithNameRef(out, pos, never, false, base - 1 - index, fields[2 * i + 1], huffman)
              : writeLiteralWithPostBaseNameRef(out, pos, never, index - base, fields[2 * i + 1], huffman);
          break;
        default:
          pos = writeLiteralWithLiteralName(out, pos, never, fields[2 * i], fields[2 * i + 1], huffman);
      }
    }
    return pos;
  }

  /**
   * §2.1.1.1: the smallest absolute index the encoder still references: entries below it (the oldest ones, holding
   * `target` bytes together with the free space) get no new references, so they drain and become evictable.
   */
  private drainingIndex(target: number): number {
    const t = this.table;
    let free = t.capacity - t.size;
    let abs = t.dropped;
    while (free < target && abs < t.insertCount) {
      free += t.sizeOf(abs);
      abs++;
    }
    return abs;
  }

  /**
   * The insertion policy: is (name, value) worth a dynamic table entry? It must fit comfortably (an entry of more
   * than 3/4 of the capacity would flush the table), the advisor must expect it to repeat, and, when this section
   * cannot reference unacknowledged entries, the unacknowledged inserts must stay within 1/4 of the capacity (a peer
   * that acknowledges slowly, or never, should not make us fill the table with entries we cannot use).
   */
  private worthInserting(name: string, value: string, canBlock: boolean): boolean {
    const t = this.table;
    const capacity = Math.min(this.peerMaxTableCapacity, this.capacityLimit);
    const size = entrySize(name, value);
    if (size > capacity * MAX_ENTRY_FRACTION) return false;
    const advice = this.advisor.recordMiss(name, value);
    if (advice === INSERT_NO) return false;
    if (advice === INSERT_IF_FREE) return canBlock && t.capacity - t.size >= size;
    if (!canBlock) {
      let unacked = 0;
      for (let abs = Math.max(t.knownReceivedCount, t.dropped); abs < t.insertCount; abs++) unacked += t.sizeOf(abs);
      if (unacked > 0 && unacked + size > capacity * UNACKED_FRACTION) return false;
    }
    return true;
  }

  /** Sets the capacity before the first insert (RFC 9204 §3.2.2: it starts at 0). */
  private ensureCapacity(): void {
    if (this.capacitySet) return;
    const capacity = Math.min(this.peerMaxTableCapacity, this.capacityLimit);
    if (capacity > 0) this.setDynamicTableCapacity(capacity);
  }

  /** Inserts (name, value) if it fits without evicting entries in use; returns its absolute index or -1. */
  private tryInsert(name: string, value: string, st: StaticNameInfo | undefined): number {
    const t = this.table;
    if (!this.makeRoom(entrySize(name, value))) return -1;
    const out = this.encoderStream;
    if (st !== undefined) {
      writeInsertWithNameRef(out, true, st.index, value, this.huffman);
    } else {
      const nameAbs = t.findName(name);
      // §4.3.2: a dynamic name reference on the encoder stream is relative to the most recent insert
      if (nameAbs >= 0) writeInsertWithNameRef(out, false, t.insertCount - 1 - nameAbs, value, this.huffman);
      else writeInsertWithLiteralName(out, name, value, this.huffman);
      name = nameAbs >= 0 ? t.name(nameAbs) : this.interner.intern(name);
    }
    if (this.autoInsert) this.advisor.recordInsert(name);
    return t.insert(name, value);
  }

  /**
   * Checks that an entry of `size` can be inserted without evicting entries in use (§2.1.1), and gives the entries
   * it would evict that field sections matched a second chance: such an entry is duplicated to the head of the
   * table (§4.3.4, one or two bytes) instead of being lost, spending one unit of its credit (one per match, at most
   * MAX_CREDIT). This is FIFO eviction with a generalised clock: entries that keep being used survive a stream of
   * one-off inserts, and unused ones drain away.
   */
  private makeRoom(size: number): boolean {
    const t = this.table;
    if (!t.canInsert(size)) return false;
    if (!this.autoInsert) return true;
    for (let chances = SECOND_CHANCES; chances > 0; chances--) {
      let free = t.capacity - t.size;
      let candidate = -1;
      for (let abs = t.dropped; free < size && abs < t.insertCount; abs++) {
        if (t.credit(abs) > 0) {
          candidate = abs;
          break;
        }
        free += t.sizeOf(abs);
      }
      if (candidate < 0) break;
      const credit = t.credit(candidate) - 1;
      t.setCredit(candidate, 0);
      const copy = this.tryDuplicate(candidate);
      if (copy < 0) break;
      t.setCredit(copy, credit);
    }
    return t.canInsert(size);
  }

  /** Duplicates entry `abs` if that evicts only evictable entries; returns the copy's absolute index or -1. */
  private tryDuplicate(abs: number): number {
    const t = this.table;
    const name = t.name(abs);
    const value = t.value(abs);
    if (!t.canInsert(entrySize(name, value))) return -1;
    writeDuplicate(this.encoderStream, t.insertCount - 1 - abs);
    return t.insert(name, value);
  }

  // ---- decoder stream ----

  private applyDecoderInstructions(c: QpackCursor): void {
    const operand = this.operand;
    while (c.pos < c.end) {
      const kind = readDecoderInstruction(c, operand);
      if (kind === 0) return;
      if (kind === DecoderInstructionKind.SECTION_ACK) this.sections.onSectionAck(operand.value);
      else if (kind === DecoderInstructionKind.STREAM_CANCELLATION) this.sections.onStreamCancellation(operand.value);
      else this.sections.onInsertCountIncrement(operand.value);
    }
  }
}
