import type { ByteWriter } from '@fos/core';
import { STATELESS_RESET_TOKEN_LENGTH } from './connection-id-frames.js';

// Stateless Reset (RFC 9000 §10.3): Fixed Bits (2) = 0b01, Unpredictable Bits (38..), Stateless Reset Token (128).

/** RFC 9000 §10.3: 38 unpredictable bits plus the 2 fixed bits (5 bytes) and the 16-byte token. */
export const MIN_STATELESS_RESET_LENGTH = 5 + STATELESS_RESET_TOKEN_LENGTH;

/**
 * The size of a Stateless Reset sent in reply to a datagram of `triggerLength` bytes, or 0 when none may be sent.
 * RFC 9000 §10.3: reply to a packet of 43 bytes or less with one a byte shorter; §10.3.3: a Stateless Reset is
 * always smaller than the packet that triggered it (no loops), and never under the 21-byte minimum.
 * @param preferredLength the size used for longer triggers (default 43, which also hides the reset among short
 *   header packets carrying a CID; RFC 9000 §10.3).
 */
export function statelessResetLength(triggerLength: number, preferredLength = 43): number {
  const n = Math.min(triggerLength - 1, Math.max(preferredLength, MIN_STATELESS_RESET_LENGTH));
  return n < MIN_STATELESS_RESET_LENGTH ? 0 : n;
}

/**
 * Writes a Stateless Reset: byte 0 with the fixed bits 01 (a short header look-alike), then `unpredictable`
 * (caller-supplied random bytes; its first byte supplies the low 6 bits of byte 0), then the token.
 * The packet is `unpredictable.length + 16` bytes; `unpredictable` must be at least 5 bytes. Returns bytes written.
 */
export function writeStatelessReset(w: ByteWriter, unpredictable: Uint8Array, token: Uint8Array): number {
  if (unpredictable.length < MIN_STATELESS_RESET_LENGTH - STATELESS_RESET_TOKEN_LENGTH) {
    throw new RangeError('a Stateless Reset needs at least 5 unpredictable bytes (RFC 9000 §10.3)');
  }
  if (token.length !== STATELESS_RESET_TOKEN_LENGTH) throw new RangeError('a stateless reset token is 16 bytes');
  const start = w.pos;
  w.u8(0x40 | (unpredictable[0] & 0x3f));
  w.bytes(unpredictable.subarray(1));
  w.bytes(token);
  return w.pos - start;
}

/**
 * Whether the datagram `buf[start, end)` ends with `token` (RFC 9000 §10.3.1: a packet ending in a valid stateless
 * reset token is a Stateless Reset, whatever its header form). Too-short datagrams never match. The comparison
 * runs over all 16 bytes whatever they contain, so its timing does not reveal a partial match.
 */
export function endsWithStatelessResetToken(buf: Uint8Array, start: number, end: number, token: Uint8Array): boolean {
  if (end - start < MIN_STATELESS_RESET_LENGTH || token.length !== STATELESS_RESET_TOKEN_LENGTH) return false;
  const at = end - STATELESS_RESET_TOKEN_LENGTH;
  let diff = 0;
  for (let i = 0; i < STATELESS_RESET_TOKEN_LENGTH; i++) diff |= buf[at + i] ^ token[i];
  return diff === 0;
}
