import { type ByteReader, type ByteWriter, varintLength } from '@fos/core';
import type { CryptoFrame } from './frame.js';
import { exceedsOffsetLimit, frameEncodingError, toFrameError } from './frame-error.js';
import { FrameType } from './frame-type.js';

const EMPTY = new Uint8Array(0);

/**
 * Parses a CRYPTO body (RFC 9000 §19.6): Offset (i), Length (i), Crypto Data. `data` is a view.
 * FRAME_ENCODING_ERROR when offset + length exceeds 2^62 - 1 (§19.6) or on truncation.
 */
export function parseCryptoFrame(
  r: ByteReader,
  out: CryptoFrame = { type: FrameType.CRYPTO, offset: 0, data: EMPTY },
): CryptoFrame {
  try {
    const offsetPos = r.pos;
    const offset = r.varint();
    const length = r.varint();
    if (exceedsOffsetLimit(r.buf, offsetPos, r.end, offset, length)) {
      throw frameEncodingError(FrameType.CRYPTO, 'CRYPTO offset + length exceeds 2^62-1');
    }
    out.data = r.bytes(length);
    out.offset = offset;
    return out;
  } catch (e) {
    throw toFrameError(e, FrameType.CRYPTO);
  }
}

/** Writes a CRYPTO frame, type included. */
export function encodeCryptoFrame(w: ByteWriter, frame: CryptoFrame): void {
  w.u8(FrameType.CRYPTO).varint(frame.offset).varint(frame.data.length).bytes(frame.data);
}

/** Bytes encodeCryptoFrame writes. */
export function encodedLengthCryptoFrame(frame: CryptoFrame): number {
  return cryptoFrameOverhead(frame.offset, frame.data.length) + frame.data.length;
}

/** Bytes of a CRYPTO frame besides its data, to size the data that fits in a packet. */
export function cryptoFrameOverhead(offset: number, length: number): number {
  return 1 + varintLength(offset) + varintLength(length);
}
