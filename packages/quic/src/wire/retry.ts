import type { ByteWriter } from '@fos/core';
import { HeaderStatus, type PacketHeader, RETRY_INTEGRITY_TAG_LENGTH } from './packet-header.js';
import { longPacketTypeBits, PacketType } from './packet-type.js';
import { MAX_CID_LENGTH } from './versions.js';

/**
 * Computes the Retry Integrity Tag (RFC 9001 §5.8; RFC 9369 §3.3.3 for v2) over the pseudo-packet built from the
 * original DCID and the Retry packet without its tag. Implemented by the crypto layer (the transport passes its
 * packet-protection provider's function here); the wire layer never touches keys.
 */
export type RetryIntegrityTagFunction = (
  version: number,
  originalDcid: Uint8Array,
  retryWithoutTag: Uint8Array,
) => Uint8Array;

/**
 * Writes a Retry packet without its integrity tag (RFC 9000 §17.2.5) and returns the offset where it starts.
 * The server puts the client's SCID in `dcid` and a fresh ID of its choice in `scid` (§17.2.5.1).
 * @param unusedBits the 4 Unused bits of byte 0 (arbitrary, RFC 9000 §17.2.5).
 */
export function writeRetryWithoutTag(
  w: ByteWriter,
  version: number,
  dcid: Uint8Array,
  scid: Uint8Array,
  token: Uint8Array,
  unusedBits = 0,
  fixedBit = true,
): number {
  if (token.length === 0) throw new RangeError('a Retry token must not be empty (RFC 9000 §17.2.5.2)');
  if (dcid.length > MAX_CID_LENGTH || scid.length > MAX_CID_LENGTH) throw new RangeError('connection ID too long');
  const start = w.pos;
  w.u8(0x80 | (fixedBit ? 0x40 : 0) | (longPacketTypeBits(version, PacketType.RETRY) << 4) | (unusedBits & 0x0f));
  w.u32(version);
  w.u8(dcid.length).bytes(dcid);
  w.u8(scid.length).bytes(scid);
  w.bytes(token);
  return start;
}

/**
 * Writes a complete Retry packet: the packet, then the tag `computeTag` returns for it (RFC 9001 §5.8).
 * @returns bytes written.
 */
export function writeRetry(
  w: ByteWriter,
  version: number,
  dcid: Uint8Array,
  scid: Uint8Array,
  token: Uint8Array,
  originalDcid: Uint8Array,
  computeTag: RetryIntegrityTagFunction,
  unusedBits = 0,
): number {
  const start = writeRetryWithoutTag(w, version, dcid, scid, token, unusedBits);
  const tag = computeTag(version, originalDcid, w.buf.subarray(start, w.pos));
  if (tag.length !== RETRY_INTEGRITY_TAG_LENGTH) throw new RangeError(`Retry tag of ${tag.length} bytes`);
  w.bytes(tag);
  return w.pos - start;
}

/**
 * The Retry pseudo-packet the integrity tag is computed over (RFC 9001 §5.8): ODCID Length (8), Original
 * Destination Connection ID, then the Retry packet without its tag. Allocates (Retry is rare).
 */
export function retryPseudoPacket(originalDcid: Uint8Array, retryWithoutTag: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + originalDcid.length + retryWithoutTag.length);
  out[0] = originalDcid.length;
  out.set(originalDcid, 1);
  out.set(retryWithoutTag, 1 + originalDcid.length);
  return out;
}

function checkRetry(header: PacketHeader): void {
  if (header.type !== PacketType.RETRY || header.status !== HeaderStatus.OK) {
    throw new RangeError('not a valid Retry packet header');
  }
}

/** A view of a parsed Retry packet without its tag (what the tag is computed over, with the ODCID prefix). */
export function retryPacketWithoutTag(header: PacketHeader): Uint8Array {
  checkRetry(header);
  return header.buf.subarray(header.packetStart, header.retryIntegrityTagOffset);
}

/** A view of a parsed Retry packet's 16-byte Retry Integrity Tag. */
export function retryIntegrityTag(header: PacketHeader): Uint8Array {
  checkRetry(header);
  return header.buf.subarray(header.retryIntegrityTagOffset, header.packetEnd);
}

/**
 * Client-side check of a received Retry (RFC 9000 §17.2.5.2, RFC 9001 §5.8): the tag computed by `computeTag`
 * over the pseudo-packet must equal the received one (compared in constant time over the 16 bytes), and the
 * Retry's SCID must differ from the DCID the client sent (§17.2.5.1).
 */
export function verifyRetry(
  header: PacketHeader,
  originalDcid: Uint8Array,
  computeTag: RetryIntegrityTagFunction,
): boolean {
  if (header.type !== PacketType.RETRY || header.status !== HeaderStatus.OK) return false;
  const scid = header.scid;
  let same = scid.length === originalDcid.length;
  for (let i = 0; same && i < scid.length; i++) if (scid[i] !== originalDcid[i]) same = false;
  if (same) return false;
  const expected = computeTag(header.version, originalDcid, retryPacketWithoutTag(header));
  if (expected.length !== RETRY_INTEGRITY_TAG_LENGTH) return false;
  const b = header.buf;
  const t = header.retryIntegrityTagOffset;
  let diff = 0;
  for (let i = 0; i < RETRY_INTEGRITY_TAG_LENGTH; i++) diff |= b[t + i] ^ expected[i];
  return diff === 0;
}
