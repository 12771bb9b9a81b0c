// RFC 9204 §4.4: decoder instructions (decoder stream, type 0x03), their wire format and an incremental reader.

import type { ByteSink } from './byte-sink.js';
import { QpackDecoderStreamError } from './errors.js';
import {
  decodePrefixedInt,
  INT_TOO_LARGE,
  INT_TRUNCATED,
  prefixedIntLength,
  type QpackCursor,
  writePrefixedInt,
} from './prefixed-int.js';

/** A decoder instruction as a value (diagnostics and tests; the encoder applies them without allocating). */
export type DecoderInstruction =
  | { readonly type: 'section-acknowledgment'; readonly streamId: number }
  | { readonly type: 'stream-cancellation'; readonly streamId: number }
  | { readonly type: 'insert-count-increment'; readonly increment: number };

export const DecoderInstructionKind = {
  SECTION_ACK: 1,
  STREAM_CANCELLATION: 2,
  INSERT_COUNT_INCREMENT: 3,
} as const;
export type DecoderInstructionKind = (typeof DecoderInstructionKind)[keyof typeof DecoderInstructionKind];

/** §4.4.1 Section Acknowledgment: '1' + stream ID (7+). */
export function writeSectionAck(out: ByteSink, streamId: number): void {
  out.ensure(prefixedIntLength(7, streamId));
  out.len = writePrefixedInt(out.buf, out.len, 7, 0x80, streamId);
}

/** §4.4.2 Stream Cancellation: '01' + stream ID (6+). */
export function writeStreamCancellation(out: ByteSink, streamId: number): void {
  out.ensure(prefixedIntLength(6, streamId));
  out.len = writePrefixedInt(out.buf, out.len, 6, 0x40, streamId);
}

/** §4.4.3 Insert Count Increment: '00' + increment (6+). */
export function writeInsertCountIncrement(out: ByteSink, increment: number): void {
  out.ensure(prefixedIntLength(6, increment));
  out.len = writePrefixedInt(out.buf, out.len, 6, 0x00, increment);
}

/**
 * Reads one decoder instruction at `c.pos`: returns its kind (with the operand in `operand.value`) and moves past it,
 * or 0 when the bytes end inside it (nothing consumed). Throws QpackDecoderStreamError for an integer beyond our
 * limit (RFC 9204 §7.4).
 */
export function readDecoderInstruction(c: QpackCursor, operand: { value: number }): DecoderInstructionKind | 0 {
  const b = c.buf[c.pos];
  const kind =
    b & 0x80
      ? DecoderInstructionKind.SECTION_ACK
      : b & 0x40
        ? DecoderInstructionKind.STREAM_CANCELLATION
        : DecoderInstructionKind.INSERT_COUNT_INCREMENT;
  const v = decodePrefixedInt(c, kind === DecoderInstructionKind.SECTION_ACK ? 7 : 6);
  if (v === INT_TRUNCATED) return 0;
  if (v === INT_TOO_LARGE) throw new QpackDecoderStreamError('decoder instruction integer too large');
  operand.value = v;
  return kind;
}

/** Parses a complete run of decoder instructions (diagnostics and tests). Throws when truncated. */
export function parseDecoderInstructions(bytes: Uint8Array): DecoderInstruction[] {
  const c: QpackCursor = { buf: bytes, pos: 0, end: bytes.length };
  const operand = { value: 0 };
  const out: DecoderInstruction[] = [];
  while (c.pos < c.end) {
    const kind = readDecoderInstruction(c, operand);
    if (kind === 0) throw new QpackDecoderStreamError('truncated decoder instruction');
    if (kind === DecoderInstructionKind.SECTION_ACK) {
      out.push({ type: 'section-acknowledgment', streamId: operand.value });
    } else if (kind === DecoderInstructionKind.STREAM_CANCELLATION) {
      out.push({ type: 'stream-cancellation', streamId: operand.value });
    } else {
      out.push({ type: 'insert-count-increment', increment: operand.value });
    }
  }
  return out;
}

/** Encodes one decoder instruction (diagnostics and tests). */
export function writeDecoderInstruction(out: ByteSink, instruction: DecoderInstruction): void {
  switch (instruction.type) {
    case 'section-acknowledgment':
      writeSectionAck(out, instruction.streamId);
      return;
    case 'stream-cancellation':
      writeStreamCancellation(out, instruction.streamId);
      return;
    case 'insert-count-increment':
      writeInsertCountIncrement(out, instruction.increment);
      return;
  }
}
