// RFC 9204 §4.3: encoder instructions (encoder stream, type 0x02), their wire format and an incremental reader.

import type { StringInterner } from '@fos/core';
import type { ByteSink } from './byte-sink.js';
import { QpackEncoderStreamError } from './errors.js';
import { minHuffmanDecodedLength } from './huffman.js';
import {
  decodePrefixedInt,
  INT_TOO_LARGE,
  INT_TRUNCATED,
  prefixedIntLength,
  type QpackCursor,
  writePrefixedInt,
} from './prefixed-int.js';
import { STATIC_TABLE_LENGTH } from './static-table.js';
import { decodeStringOctets, stringLiteralBound, writeStringLiteral } from './string-literal.js';

/** An encoder instruction as a value (for diagnostics and tests; the decoder applies them without allocating). */
export type EncoderInstruction =
  | { readonly type: 'set-dynamic-table-capacity'; readonly capacity: number }
  | {
      readonly type: 'insert-with-name-reference';
      /** T bit: the name comes from the static table (else from the dynamic table, by relative index). */
      readonly isStatic: boolean;
      readonly nameIndex: number;
      readonly value: string;
    }
  | { readonly type: 'insert-with-literal-name'; readonly name: string; readonly value: string }
  | { readonly type: 'duplicate'; readonly index: number };

// ---- writers (append to a ByteSink) ----

/** §4.3.1 Set Dynamic Table Capacity: '001' + capacity (5+). */
export function writeSetCapacity(out: ByteSink, capacity: number): void {
  out.ensure(prefixedIntLength(5, capacity));
  out.len = writePrefixedInt(out.buf, out.len, 5, 0x20, capacity);
}

/** §4.3.2 Insert with Name Reference: '1' T + name index (6+), value string (8-bit prefix). */
export function writeInsertWithNameRef(
  out: ByteSink,
  isStatic: boolean,
  nameIndex: number,
  value: string,
  huffman: boolean,
): void {
  out.ensure(prefixedIntLength(6, nameIndex) + stringLiteralBound(value, 8));
  const pos = writePrefixedInt(out.buf, out.len, 6, isStatic ? 0xc0 : 0x80, nameIndex);
  out.len = writeStringLiteral(out.buf, pos, 8, 0, value, huffman);
}

/** §4.3.3 Insert with Literal Name: '01' + name string (6-bit prefix), value string (8-bit prefix). */
export function writeInsertWithLiteralName(out: ByteSink, name: string, value: string, huffman: boolean): void {
  out.ensure(stringLiteralBound(name, 6) + stringLiteralBound(value, 8));
  const pos = writeStringLiteral(out.buf, out.len, 6, 0x40, name, huffman);
  out.len = writeStringLiteral(out.buf, pos, 8, 0, value, huffman);
}

/** §4.3.4 Duplicate: '000' + relative index (5+). */
export function writeDuplicate(out: ByteSink, relativeIndex: number): void {
  out.ensure(prefixedIntLength(5, relativeIndex));
  out.len = writePrefixedInt(out.buf, out.len, 5, 0x00, relativeIndex);
}

// ---- incremental reader ----

export const EncoderInstructionKind = {
  SET_CAPACITY: 1,
  INSERT_NAME_REF: 2,
  INSERT_LITERAL_NAME: 3,
  DUPLICATE: 4,
} as const;
export type EncoderInstructionKind = (typeof EncoderInstructionKind)[keyof typeof EncoderInstructionKind];

/** The operands of the last instruction `readEncoderInstruction` read (one reused object, no allocation). */
export class EncoderInstructionFields {
  kind: EncoderInstructionKind = EncoderInstructionKind.SET_CAPACITY;
  /** Capacity (SET_CAPACITY), name index (INSERT_NAME_REF) or relative index (DUPLICATE). */
  value = 0;
  isStatic = false;
  name = '';
  fieldValue = '';
}

/** `readEncoderInstruction` result: the instruction is not complete yet; nothing was consumed. */
export const NEED_MORE = 0;
/** `readEncoderInstruction` result: one instruction was read into the fields and consumed. */
export const READ_ONE = 1;

function intOrThrow(v: number, what: string): number {
  if (v === INT_TOO_LARGE) throw new QpackEncoderStreamError(`${what} integer too large`);
  return v;
}

/**
 * Reads one encoder instruction at `c.pos` into `f`. Returns NEED_MORE (nothing consumed) when the bytes end inside
 * the instruction, else READ_ONE with `c.pos` past it. `maxEntrySize` bounds the strings of an insert before they
 * are decoded: an entry larger than the table capacity is an error (§3.2.2), so a peer cannot make us buffer or
 * decode more than that. Throws QpackEncoderStreamError for malformed input.
 */
export function readEncoderInstruction(
  c: QpackCursor,
  f: EncoderInstructionFields,
  maxEntrySize: number,
  interner: StringInterner | undefined,
  table?: { readonly insertCount: number; readonly dropped: number },
): number {
  const start = c.pos;
  const buf = c.buf;
  const b = buf[start];
  if (b & 0x80) {
    // §4.3.2 Insert with Name Reference
    const index = intOrThrow(decodePrefixedInt(c, 6), 'name index');
    if (index === INT_TRUNCATED) return NEED_MORE;
    // Reject a bad name reference as soon as it is read, without waiting for the value.
    if (b & 0x40) {
      // §3.1: an invalid static index on the encoder stream
      if (index >= STATIC_TABLE_LENGTH) throw new QpackEncoderStreamError(`static index ${index}`);
    } else if (table !== undefined && table.insertCount - 1 - index < table.dropped) {
      // §2.2.3: a reference to an evicted (or never inserted) entry
      throw new QpackEncoderStreamError(`relative index ${index} is not in the table`);
    }
    const value = readString(c, 8, maxEntrySize - 32, undefined);
    if (value === undefined) {
      c.pos = start;
      return NEED_MORE;
    }
    f.kind = EncoderInstructionKind.INSERT_NAME_REF;
    f.isStatic = (b & 0x40) !== 0;
    f.value = index;
    f.fieldValue = value;
    return READ_ONE;
  }
  if (b & 0x40) {
    // §4.3.3 Insert with Literal Name
    const name = readString(c, 6, maxEntrySize - 32, interner);
    if (name === undefined) return NEED_MORE;
    const value = readString(c, 8, maxEntrySize - 32 - name.length, undefined);
    if (value === undefined) {
      c.pos = start;
      return NEED_MORE;
    }
    f.kind = EncoderInstructionKind.INSERT_LITERAL_NAME;
    f.name = name;
    f.fieldValue = value;
    return READ_ONE;
  }
  const v = intOrThrow(decodePrefixedInt(c, 5), b & 0x20 ? 'capacity' : 'duplicate index');
  if (v === INT_TRUNCATED) return NEED_MORE;
  // §4.3.1 Set Dynamic Table Capacity ('001') or §4.3.4 Duplicate ('000')
  f.kind = b & 0x20 ? EncoderInstructionKind.SET_CAPACITY : EncoderInstructionKind.DUPLICATE;
  f.value = v;
  return READ_ONE;
}

/**
 * Reads a `prefixBits`-bit prefix string literal; undefined (position unchanged) when it is incomplete. Throws when
 * it could not decode to at most `maxLength` bytes, or its Huffman code is invalid.
 */
function readString(
  c: QpackCursor,
  prefixBits: number,
  maxLength: number,
  interner: StringInterner | undefined,
): string | undefined {
  if (c.pos >= c.end) return undefined;
  const start = c.pos;
  const huffman = (c.buf[start] & (1 << (prefixBits - 1))) !== 0;
  const length = intOrThrow(decodePrefixedInt(c, prefixBits - 1), 'string length');
  if (length === INT_TRUNCATED) return undefined;
  // §3.2.2: an entry must fit the capacity; reject before buffering or decoding the octets.
  if ((huffman ? minHuffmanDecodedLength(length) : length) > maxLength) {
    throw new QpackEncoderStreamError('inserted entry larger than the dynamic table capacity');
  }
  if (c.end - c.pos < length) {
    c.pos = start;
    return undefined;
  }
  const s = decodeStringOctets(c.buf, c.pos, length, huffman, interner);
  if (s === undefined) throw new QpackEncoderStreamError('invalid Huffman code');
  c.pos += length;
  return s;
}

/**
 * Parses a complete run of encoder instructions (diagnostics and tests). Throws QpackEncoderStreamError when the
 * bytes are malformed or end inside an instruction. Strings are not length-limited here.
 */
export function parseEncoderInstructions(bytes: Uint8Array): EncoderInstruction[] {
  const c: QpackCursor = { buf: bytes, pos: 0, end: bytes.length };
  const f = new EncoderInstructionFields();
  const out: EncoderInstruction[] = [];
  while (c.pos < c.end) {
    if (readEncoderInstruction(c, f, Number.MAX_SAFE_INTEGER, undefined) === NEED_MORE) {
      throw new QpackEncoderStreamError('truncated encoder instruction');
    }
    out.push(fieldsToInstruction(f));
  }
  return out;
}

function fieldsToInstruction(f: EncoderInstructionFields): EncoderInstruction {
  switch (f.kind) {
    case EncoderInstructionKind.SET_CAPACITY:
      return { type: 'set-dynamic-table-capacity', capacity: f.value };
    case EncoderInstructionKind.INSERT_NAME_REF:
      return { type: 'insert-with-name-reference', isStatic: f.isStatic, nameIndex: f.value, value: f.fieldValue };
    case EncoderInstructionKind.INSERT_LITERAL_NAME:
      return { type: 'insert-with-literal-name', name: f.name, value: f.fieldValue };
    default:
      return { type: 'duplicate', index: f.value };
  }
}

/** Encodes one instruction (diagnostics and tests). */
export function writeEncoderInstruction(out: ByteSink, instruction: EncoderInstruction, huffman: boolean): void {
  switch (instruction.type) {
    case 'set-dynamic-table-capacity':
      writeSetCapacity(out, instruction.capacity);
      return;
    case 'insert-with-name-reference':
      writeInsertWithNameRef(out, instruction.isStatic, instruction.nameIndex, instruction.value, huffman);
      return;
    case 'insert-with-literal-name':
      writeInsertWithLiteralName(out, instruction.name, instruction.value, huffman);
      return;
    case 'duplicate':
      writeDuplicate(out, instruction.index);
      return;
  }
}
