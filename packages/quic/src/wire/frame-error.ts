import { readVarintBigAt, TransportError, TransportErrorCode, TruncatedInputError } from '@fos/core';
import { frameTypeName } from './frame-type.js';

/** TransportError(FRAME_ENCODING_ERROR) for a badly formatted frame of `frameType` (RFC 9000 §20.1). */
export function frameEncodingError(frameType: number, reason: string): TransportError {
  return new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, reason, { frameType });
}

/**
 * Maps what a frame parser threw to the error the RFC requires: a truncated frame (ByteReader's
 * TruncatedInputError) is a FRAME_ENCODING_ERROR carrying the frame type (RFC 9000 §12.4, §20.1); TransportErrors
 * pass through; anything else is a bug and is rethrown unchanged.
 */
export function toFrameError(e: unknown, frameType: number): unknown {
  if (e instanceof TransportError) return e;
  if (e instanceof TruncatedInputError) {
    return new TransportError(TransportErrorCode.FRAME_ENCODING_ERROR, `truncated ${frameTypeName(frameType)} frame`, {
      frameType,
      cause: e,
    });
  }
  return e;
}

/** 2^60: the largest stream count a MAX_STREAMS or STREAMS_BLOCKED frame may carry (RFC 9000 §19.11, §19.14). */
export const MAX_STREAMS_LIMIT = 2 ** 60;
const MAX_STREAMS_LIMIT_BIG = 1n << 60n;
/** 2^62 - 1 as an exact bigint: the largest stream or crypto offset (RFC 9000 §19.6, §19.8). */
const MAX_OFFSET_BIG = (1n << 62n) - 1n;

// Numbers above 2^53 lose precision. Values read from the wire are only re-read exactly (as bigint) in the rare
// case they are that large, so limit checks stay RFC-exact without slowing down the common case.

/** Whether the varint at `pos` (already read as `value`) exceeds 2^60. */
export function exceedsStreamCountLimit(buf: Uint8Array, pos: number, end: number, value: number): boolean {
  if (value <= Number.MAX_SAFE_INTEGER) return value > MAX_STREAMS_LIMIT;
  return readVarintBigAt(buf, pos, end) > MAX_STREAMS_LIMIT_BIG;
}

/**
 * Whether offset + length exceeds 2^62 - 1, with the offset varint at `offsetPos` (or absent when -1) already
 * read as `offset`.
 */
export function exceedsOffsetLimit(
  buf: Uint8Array,
  offsetPos: number,
  end: number,
  offset: number,
  length: number,
): boolean {
  if (offset + length <= Number.MAX_SAFE_INTEGER) return false;
  const exact = offsetPos < 0 ? 0n : readVarintBigAt(buf, offsetPos, end);
  return exact + BigInt(length) > MAX_OFFSET_BIG;
}

/** Exact `a > b` for two varints at `posA` / `posB` already read as numbers `a` / `b`. */
export function varintGreater(buf: Uint8Array, end: number, posA: number, a: number, posB: number, b: number): boolean {
  if (a <= Number.MAX_SAFE_INTEGER && b <= Number.MAX_SAFE_INTEGER) return a > b;
  return readVarintBigAt(buf, posA, end) > readVarintBigAt(buf, posB, end);
}
