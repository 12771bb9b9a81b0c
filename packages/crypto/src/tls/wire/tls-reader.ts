import type { ByteReader } from '@fos/core';
import { tlsAlert } from '../alert.js';
import { AlertDescription } from '../constants.js';

/**
 * Reads `opaque x<min..max>` with a `lengthBytes`-byte length prefix (RFC 8446 §3.4) and returns a view of it.
 * A length outside [min, max] or past the end of the input is a decode_error (RFC 8446 §6.2).
 */
export function readVector(r: ByteReader, lengthBytes: 1 | 2 | 3, min: number, max: number, what: string): Uint8Array {
  if (r.remaining < lengthBytes) throw tlsAlert(AlertDescription.decode_error, `${what}: truncated length`);
  const n = lengthBytes === 1 ? r.u8() : lengthBytes === 2 ? r.u16() : r.u24();
  if (n < min || n > max) throw tlsAlert(AlertDescription.decode_error, `${what}: length ${n} outside ${min}..${max}`);
  if (n > r.remaining)
    throw tlsAlert(AlertDescription.decode_error, `${what}: ${n} bytes announced, ${r.remaining} left`);
  return r.bytes(n);
}

/** Reads a fixed-size field, or fails with decode_error. */
export function readFixed(r: ByteReader, n: number, what: string): Uint8Array {
  if (r.remaining < n) throw tlsAlert(AlertDescription.decode_error, `${what}: truncated`);
  return r.bytes(n);
}

export function readU8(r: ByteReader, what: string): number {
  if (r.remaining < 1) throw tlsAlert(AlertDescription.decode_error, `${what}: truncated`);
  return r.u8();
}

export function readU16(r: ByteReader, what: string): number {
  if (r.remaining < 2) throw tlsAlert(AlertDescription.decode_error, `${what}: truncated`);
  return r.u16();
}

export function readU32(r: ByteReader, what: string): number {
  if (r.remaining < 4) throw tlsAlert(AlertDescription.decode_error, `${what}: truncated`);
  return r.u32();
}

/** RFC 8446 §4: a message or structure must be consumed exactly; trailing bytes are a decode_error. */
export function expectEnd(r: ByteReader, what: string): void {
  if (r.remaining !== 0) throw tlsAlert(AlertDescription.decode_error, `${what}: ${r.remaining} trailing byte(s)`);
}

/** Reads a list of uint16 values packed in `data` (an even-length vector body). */
export function readU16List(data: Uint8Array, what: string): number[] {
  if ((data.length & 1) !== 0) throw tlsAlert(AlertDescription.decode_error, `${what}: odd length ${data.length}`);
  const out = new Array<number>(data.length >>> 1);
  for (let i = 0, j = 0; i < data.length; i += 2, j++) out[j] = (data[i] << 8) | data[i + 1];
  return out;
}
