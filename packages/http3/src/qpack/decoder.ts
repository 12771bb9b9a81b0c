// RFC 9204 §2.2 / §4.3-§4.5: the QPACK decoder (sans-I/O). The HTTP/3 layer feeds it encoder-stream bytes and
// encoded field sections and sends what `pollDecoderStream` returns on its decoder stream.

import type { StringInterner } from '@fos/core';
import { ByteSink, PendingInput } from './byte-sink.js';
import { writeInsertCountIncrement, writeSectionAck, writeStreamCancellation } from './decoder-instructions.js';
import { DynamicTable, type DynamicTableEntry, ENTRY_OVERHEAD, entrySize, maxEntries } from './dynamic-table.js';
import {
  EncoderInstructionFields,
  EncoderInstructionKind,
  NEED_MORE,
  readEncoderInstruction,
} from './encoder-instructions.js';
import { FieldSectionTooLargeError, QpackDecompressionFailedError, QpackEncoderStreamError } from './errors.js';
import { decodeRequiredInsertCount } from './field-lines.js';
import { minHuffmanDecodedLength } from './huffman.js';
import { defaultInterner } from './interner.js';
import { decodePrefixedInt, INT_TOO_LARGE, INT_TRUNCATED, type QpackCursor } from './prefixed-int.js';
import { STATIC_NAMES, STATIC_TABLE_LENGTH, STATIC_VALUES } from './static-table.js';
import { decodeStringOctets } from './string-literal.js';

/** Options of `QpackDecoder`: our own settings, which the HTTP/3 layer also advertises in SETTINGS. */
export interface QpackDecoderOptions {
  /** Our SETTINGS_QPACK_MAX_TABLE_CAPACITY (RFC 9204 §5). Default 0: the peer may use the static table only. */
  readonly maxTableCapacity?: number;
  /** Our SETTINGS_QPACK_BLOCKED_STREAMS (RFC 9204 §5). Default 0: no field section may wait for inserts. */
  readonly maxBlockedStreams?: number;
  /**
   * Our SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2): the largest decoded field section accepted, counting
   * name + value + 32 bytes per field. Default 65536.
   */
  readonly maxFieldSectionSize?: number;
  /** Interns field names (default: a shared `HashStringInterner` preloaded with the static-table names). */
  readonly interner?: StringInterner;
  /**
   * The dynamic table capacity before any Set Dynamic Table Capacity instruction. RFC 9204 §3.2.2 says 0 (the
   * default); corpora recorded against early drafts (qifs) need `maxTableCapacity` here.
   */
  readonly initialTableCapacity?: number;
}

/** A decoded field section: fields as a flat list `[name0, value0, name1, value1, …]`. */
export interface DecodedFieldSection {
  readonly status: 'done';
  readonly streamId: number;
  /** Flat name/value list in wire order (RFC 9204 §2.2); names are interned. */
  readonly fields: string[];
  /**
   * Indices (field numbers, i.e. `fields[2i]`) of the lines sent as literals with the N (never-index) bit set
   * (RFC 9204 §4.5.4); undefined when there are none. An intermediary must re-encode them the same way (§7.1.3).
   */
  readonly neverIndexed: number[] | undefined;
  /** The section's Required Insert Count (0 when it references only the static table). */
  readonly requiredInsertCount: number;
}

/** The section waits for dynamic table inserts (RFC 9204 §2.2.1); it comes out of `pollUnblocked()` later. */
export interface BlockedFieldSection {
  readonly status: 'blocked';
  readonly streamId: number;
  readonly requiredInsertCount: number;
}

export type FieldSectionResult = DecodedFieldSection | BlockedFieldSection;

interface BlockedSection {
  readonly streamId: number;
  /** Reconstructed on arrival: later inserts would move the §4.5.1.1 window. */
  readonly requiredInsertCount: number;
  readonly base: number;
  /** A copy of the field lines after the prefix. */
  readonly lines: Uint8Array;
}

const EMPTY_IDS: readonly number[] = Object.freeze([]);

/**
 * The QPACK decoder: owns our dynamic table copy, parses the peer's encoder stream incrementally, decodes field
 * sections (holding blocked ones until their inserts arrive) and produces our decoder-stream instructions.
 * Memory is bounded by `maxTableCapacity`, `maxBlockedStreams` × the (copied) blocked section sizes, and the partial
 * encoder instruction buffered between chunks (bounded by the capacity, see `readEncoderInstruction`).
 */
export class QpackDecoder {
  readonly maxTableCapacity: number;
  readonly maxBlockedStreams: number;
  readonly maxFieldSectionSize: number;
  private readonly interner: StringInterner;
  private readonly table: DynamicTable;
  private readonly maxEntries: number;
  /** What the encoder knows we have received (RFC 9204 §2.1.4), for Insert Count Increment. */
  private knownReceivedCount = 0;
  private readonly pending = new PendingInput();
  private readonly instruction = new EncoderInstructionFields();
  private readonly cursor: QpackCursor = { buf: new Uint8Array(0), pos: 0, end: 0 };
  private readonly out = new ByteSink(64);
  private readonly blocked: BlockedSection[] = [];
  private blockedStreamCount = 0;
  private readonly unblocked: BlockedSection[] = [];
  private unblockedHead = 0;

  constructor(options: QpackDecoderOptions = {}) {
    this.maxTableCapacity = options.maxTableCapacity ?? 0;
    this.maxBlockedStreams = options.maxBlockedStreams ?? 0;
    this.maxFieldSectionSize = options.maxFieldSectionSize ?? 65536;
    this.interner = options.interner ?? defaultInterner();
    this.maxEntries = maxEntries(this.maxTableCapacity);
    this.table = new DynamicTable();
    const initial = options.initialTableCapacity ?? 0;
    if (initial > this.maxTableCapacity) throw new RangeError('initialTableCapacity exceeds maxTableCapacity');
    this.table.capacity = initial;
  }

  /** Total number of entries the peer has inserted (the decoder's Insert Count, RFC 9204 §2.1.4). */
  get insertCount(): number {
    return this.table.insertCount;
  }

  /** Number of streams with a field section waiting for inserts. */
  get blockedStreams(): number {
    return this.blockedStreamCount;
  }

  /** The dynamic table as the peer's encoder has built it (diagnostics and tests). */
  tableSnapshot(): { entries: DynamicTableEntry[]; size: number; capacity: number; insertCount: number } {
    const t = this.table;
    return { entries: t.entries(), size: t.size, capacity: t.capacity, insertCount: t.insertCount };
  }

  /**
   * Feeds bytes received on the peer's encoder stream (RFC 9204 §4.2; instructions may be split across calls).
   * Returns the ids of streams whose blocked field sections can now be decoded (collect them with
   * `pollUnblocked()`); usually an empty array. Throws QpackEncoderStreamError (a connection error) for an invalid
   * instruction.
   */
  handleEncoderStream(bytes: Uint8Array): readonly number[] {
    const before = this.table.insertCount;
    const c = this.cursor;
    this.pending.open(bytes, c);
    this.applyInstructions(c);
    this.pending.settle(c);
    if (this.table.insertCount === before || this.blocked.length === 0) return EMPTY_IDS;
    return this.releaseUnblocked();
  }

  /**
   * Decodes the encoded field section of a HEADERS (or PUSH_PROMISE) frame received on `streamId`. Returns the
   * fields, or `blocked` when it references inserts that have not arrived (RFC 9204 §2.2.1); a blocked section is
   * copied and comes out of `pollUnblocked()` once `handleEncoderStream` has delivered them.
   * Throws QpackDecompressionFailedError (a connection error unless `streamError`), including for more blocked streams
   * than `maxBlockedStreams` (§2.1.2), and FieldSectionTooLargeError (a stream error).
   */
  decodeFieldSection(streamId: number, bytes: Uint8Array): FieldSectionResult {
    const c = this.cursor;
    c.buf = bytes;
    c.pos = 0;
    c.end = bytes.length;
    try {
      const ric = this.readRequiredInsertCount(c, streamId);
      if (ric > this.table.insertCount || this.hasBlocked(streamId)) {
        return this.block(streamId, ric, bytes.subarray(c.pos));
      }
      return this.decodeLines(c, streamId, ric);
    } finally {
      c.buf = EMPTY_BYTES;
    }
  }

  /**
   * The next field section that `handleEncoderStream` unblocked, decoded; undefined when none is left. May throw the
   * same errors as `decodeFieldSection` for that section (the error's `streamId` names it).
   */
  pollUnblocked(): DecodedFieldSection | undefined {
    if (this.unblockedHead >= this.unblocked.length) return undefined;
    const s = this.unblocked[this.unblockedHead++];
    if (this.unblockedHead === this.unblocked.length) {
      this.unblocked.length = 0;
      this.unblockedHead = 0;
    }
    const c = this.cursor;
    c.buf = s.lines;
    c.pos = 0;
    c.end = s.lines.length;
    this.base = s.base;
    try {
      return this.decodeLines(c, s.streamId, s.requiredInsertCount);
    } finally {
      c.buf = EMPTY_BYTES;
    }
  }

  /**
   * The HTTP/3 layer abandoned `streamId` (reset, or stopped reading before all its field sections were decoded):
   * drops its blocked sections and queues a Stream Cancellation (RFC 9204 §4.4.2, §2.2.2.2). With a maximum table
   * capacity of 0 the instruction is omitted, as §2.2.2.2 allows.
   */
  cancelStream(streamId: number): void {
    this.dropBlocked(streamId);
    for (let i = this.unblockedHead; i < this.unblocked.length; i++) {
      if (this.unblocked[i].streamId === streamId) {
        this.unblocked.splice(i, 1);
        i--;
      }
    }
    if (this.maxTableCapacity > 0) writeStreamCancellation(this.out, streamId);
  }

  /**
   * Bytes to send on our decoder stream, owned by the caller; undefined when there is nothing to send. Adds an
   * Insert Count Increment for inserts not yet covered by a Section Acknowledgment (RFC 9204 §4.4.3, §2.2.2.3).
   */
  pollDecoderStream(): Uint8Array | undefined {
    const inserts = this.table.insertCount;
    if (inserts > this.knownReceivedCount) {
      writeInsertCountIncrement(this.out, inserts - this.knownReceivedCount);
      this.knownReceivedCount = inserts;
    }
    return this.out.take();
  }

  // ---- encoder stream ----

  private applyInstructions(c: QpackCursor): void {
    const f = this.instruction;
    const t = this.table;
    while (c.pos < c.end) {
      if (readEncoderInstruction(c, f, t.capacity, this.interner, t) === NEED_MORE) return;
      switch (f.kind) {
        case EncoderInstructionKind.SET_CAPACITY:
          // §4.3.1: above our SETTINGS_QPACK_MAX_TABLE_CAPACITY is an error
          if (f.value > this.maxTableCapacity) {
            throw new QpackEncoderStreamError(`capacity ${f.value} exceeds the maximum ${this.maxTableCapacity}`);
          }
          t.setCapacity(f.value);
          break;
        case EncoderInstructionKind.INSERT_NAME_REF: {
          let name: string;
          if (f.isStatic) {
            // §3.1: an invalid static index on the encoder stream
            if (f.value >= STATIC_TABLE_LENGTH) throw new QpackEncoderStreamError(`static index ${f.value}`);
            name = STATIC_NAMES[f.value];
          } else {
            name = t.name(this.encoderStreamEntry(f.value));
          }
          this.insert(name, f.fieldValue);
          break;
        }
        case EncoderInstructionKind.INSERT_LITERAL_NAME:
          this.insert(f.name, f.fieldValue);
          break;
        default: {
          // §4.3.4 Duplicate
          const abs = this.encoderStreamEntry(f.value);
          this.insert(t.name(abs), t.value(abs));
        }
      }
    }
  }

  /** §3.2.5: a relative index on the encoder stream counts back from the most recent insert. */
  private encoderStreamEntry(relative: number): number {
    const abs = this.table.insertCount - 1 - relative;
    // §2.2.3: a reference to an evicted (or never inserted) entry
    if (!this.table.has(abs)) throw new QpackEncoderStreamError(`relative index ${relative} is not in the table`);
    return abs;
  }

  private insert(name: string, value: string): void {
    // §3.2.2: an entry larger than the capacity is an error
    if (entrySize(name, value) > this.table.capacity) {
      throw new QpackEncoderStreamError('inserted entry larger than the dynamic table capacity');
    }
    this.table.insert(name, value);
  }

  // ---- blocked sections ----

  private hasBlocked(streamId: number): boolean {
    const b = this.blocked;
    for (let i = 0; i < b.length; i++) if (b[i].streamId === streamId) return true;
    return false;
  }

  private block(streamId: number, ric: number, lines: Uint8Array): BlockedFieldSection {
    if (!this.hasBlocked(streamId)) {
      // §2.1.2: more blocked streams than we allow
      if (this.blockedStreamCount >= this.maxBlockedStreams) {
        throw new QpackDecompressionFailedError(
          `stream ${streamId} would exceed the ${this.maxBlockedStreams} blocked streams allowed`,
          { streamId },
        );
      }
      this.blockedStreamCount++;
    }
    this.blocked.push({ streamId, requiredInsertCount: ric, base: this.base, lines: lines.slice() });
    return { status: 'blocked', streamId, requiredInsertCount: ric };
  }

  private dropBlocked(streamId: number): void {
    const b = this.blocked;
    let found = false;
    for (let i = 0; i < b.length; i++) {
      if (b[i].streamId === streamId) {
        b.splice(i, 1);
        i--;
        found = true;
      }
    }
    if (found) this.blockedStreamCount--;
  }

  /**
   * Moves the sections that can now be decoded to the unblocked queue: for each stream, its blocked sections in
   * order up to the first one that still needs more inserts (a stream is decoded in order).
   */
  private releaseUnblocked(): readonly number[] {
    const inserts = this.table.insertCount;
    const b = this.blocked;
    let ids: number[] | undefined;
    const stuck: number[] = [];
    let kept = 0;
    for (let i = 0; i < b.length; i++) {
      const s = b[i];
      if (s.requiredInsertCount > inserts || stuck.includes(s.streamId)) {
        if (!stuck.includes(s.streamId)) stuck.push(s.streamId);
        b[kept++] = s;
      } else {
        this.unblocked.push(s);
        if (ids === undefined) ids = [];
        if (!ids.includes(s.streamId)) ids.push(s.streamId);
      }
    }
    b.length = kept;
    this.blockedStreamCount = stuck.length;
    return ids ?? EMPTY_IDS;
  }

  // ---- field sections ----

  /** §4.5.1: reads the prefix, leaves the Base in `this.base`, and returns the Required Insert Count. */
  private readRequiredInsertCount(c: QpackCursor, streamId: number): number {
    if (c.end - c.pos < 2) throw fail(streamId, 'truncated field section prefix');
    const encoded = decodePrefixedInt(c, 8);
    if (encoded < 0) throw fail(streamId, 'bad Required Insert Count');
    // §4.5.1.1: reconstruct the Required Insert Count
    const ric = decodeRequiredInsertCount(encoded, this.maxEntries, this.table.insertCount);
    if (ric < 0) throw fail(streamId, `invalid encoded Required Insert Count ${encoded}`);
    if (c.pos >= c.end) throw fail(streamId, 'truncated field section prefix');
    const sign = c.buf[c.pos] & 0x80;
    const delta = decodePrefixedInt(c, 7);
    if (delta < 0) throw fail(streamId, 'bad Delta Base');
    if (sign) {
      // §4.5.1.2: Base = RIC - Delta - 1 must not be negative
      if (ric <= delta) throw fail(streamId, 'negative Base');
      this.base = ric - delta - 1;
    } else {
      this.base = ric + delta;
      if (this.base > Number.MAX_SAFE_INTEGER) throw fail(streamId, 'Base too large');
    }
    return ric;
  }

  private base = 0;

  /** Decodes the field lines after the prefix (RFC 9204 §4.5.2-§4.5.6) and acknowledges the section if needed. */
  private decodeLines(c: QpackCursor, streamId: number, ric: number): DecodedFieldSection {
    const t = this.table;
    const base = this.base;
    const buf = c.buf;
    const end = c.end;
    const limit = this.maxFieldSectionSize;
    const fields: string[] = [];
    let neverIndexed: number[] | undefined;
    let size = 0;
    let line = 0;
    while (c.pos < end) {
      const b = buf[c.pos];
      let name: string;
      let value: string;
      let never = false;
      if (b & 0x80) {
        // §4.5.2 Indexed Field Line
        const index = decodePrefixedInt(c, 6);
        if (index < 0) throw fail(streamId, 'bad index');
        if (b & 0x40) {
          // §3.1: invalid static index
          if (index >= STATIC_TABLE_LENGTH) throw fail(streamId, `static index ${index}`);
          name = STATIC_NAMES[index];
          value = STATIC_VALUES[index];
        } else {
          const abs = this.dynamicEntry(base - 1 - index, ric, streamId);
          name = t.name(abs);
          value = t.value(abs);
        }
      } else if (b & 0x40) {
        // §4.5.4 Literal Field Line with Name Reference
        never = (b & 0x20) !== 0;
        const index = decodePrefixedInt(c, 4);
        if (index < 0) throw fail(streamId, 'bad name index');
        if (b & 0x10) {
          if (index >= STATIC_TABLE_LENGTH) throw fail(streamId, `static index ${index}`);
          name = STATIC_NAMES[index];
        } else {
          name = t.name(this.dynamicEntry(base - 1 - index, ric, streamId));
        }
        value = this.readValue(c, streamId, size + name.length + ENTRY_OVERHEAD);
      } else if (b & 0x20) {
        // §4.5.6 Literal Field Line with Literal Name: name is a 4-bit prefix string literal
        never = (b & 0x10) !== 0;
        name = this.readString(c, streamId, 4, size + ENTRY_OVERHEAD, true);
        value = this.readValue(c, streamId, size + name.length + ENTRY_OVERHEAD);
      } else if (b & 0x10) {
        // §4.5.3 Indexed Field Line with Post-Base Index
        const index = decodePrefixedInt(c, 4);
        if (index < 0) throw fail(streamId, 'bad post-base index');
        const abs = this.dynamicEntry(base + index, ric, streamId);
        name = t.name(abs);
        value = t.value(abs);
      } else {
        // §4.5.5 Literal Field Line with Post-Base Name Reference
        never = (b & 0x08) !== 0;
        const index = decodePrefixedInt(c, 3);
        if (index < 0) throw fail(streamId, 'bad post-base name index');
        name = t.name(this.dynamicEntry(base + index, ric, streamId));
        value = this.readValue(c, streamId, size + name.length + ENTRY_OVERHEAD);
      }
      // RFC 9114 §4.2.2: name + value + 32 per field
      size += name.length + value.length + ENTRY_OVERHEAD;
      if (size > limit) throw new FieldSectionTooLargeError(limit, streamId);
      fields.push(name, value);
      if (never) {
        if (neverIndexed === undefined) neverIndexed = [];
        neverIndexed.push(line);
      }
      line++;
    }
    // §4.4.1 / §2.2.2.1: acknowledge a section that references the dynamic table
    if (ric > 0) {
      writeSectionAck(this.out, streamId);
      if (ric > this.knownReceivedCount) this.knownReceivedCount = ric;
    }
    return { status: 'done', streamId, fields, neverIndexed, requiredInsertCount: ric };
  }

  /**
   * §2.2.3: a field line may reference only entries that are still in the table and below the Required Insert
   * Count (which is ≤ the insert count here, so the entry has arrived).
   */
  private dynamicEntry(abs: number, ric: number, streamId: number): number {
    if (abs >= ric || abs < this.table.dropped) throw fail(streamId, `invalid dynamic reference ${abs}`);
    return abs;
  }

  private readValue(c: QpackCursor, streamId: number, sizeSoFar: number): string {
    if (c.pos >= c.end) throw fail(streamId, 'truncated field line');
    return this.readString(c, streamId, 8, sizeSoFar, false);
  }

  /**
   * Reads a `prefixBits`-bit prefix string literal (§4.1.2). `sizeSoFar` is the field-section size including this
   * string's field apart from the string itself; a string that cannot fit the limit is rejected before decoding.
   */
  private readString(c: QpackCursor, streamId: number, prefixBits: number, sizeSoFar: number, isName: boolean): string {
    const huffman = (c.buf[c.pos] & (1 << (prefixBits - 1))) !== 0;
    const length = decodePrefixedInt(c, prefixBits - 1);
    if (length === INT_TRUNCATED) throw fail(streamId, 'truncated string length');
    // §7.4: a length beyond what we can decode is a stream error
    if (length === INT_TOO_LARGE) throw fail(streamId, 'string length too large', true);
    if (length > c.end - c.pos) throw fail(streamId, 'truncated string');
    // RFC 9114 §4.2.2: refuse before decoding when even the shortest decoding cannot fit
    if (sizeSoFar + (huffman ? minHuffmanDecodedLength(length) : length) > this.maxFieldSectionSize) {
      throw new FieldSectionTooLargeError(this.maxFieldSectionSize, streamId);
    }
    const s = decodeStringOctets(c.buf, c.pos, length, huffman, isName ? this.interner : undefined);
    if (s === undefined) throw fail(streamId, 'invalid Huffman code');
    c.pos += length;
    return s;
  }
}

const EMPTY_BYTES = new Uint8Array(0);

function fail(streamId: number, reason: string, streamError = false): QpackDecompressionFailedError {
  return new QpackDecompressionFailedError(reason, { streamId, streamError });
}
