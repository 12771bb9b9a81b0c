import { type ByteWriter, writePacketNumber, writeVarintAt } from '@fos/core';
import { longPacketTypeBits, PacketType } from './packet-type.js';
import { MAX_CID_LENGTH } from './versions.js';

/**
 * Size of the Length field our long headers carry. RFC 9000 §16 allows a non-minimal varint there, so a 2-byte
 * field is reserved up front and patched once the payload size is known (as most stacks do). It limits the
 * packet number + payload + AEAD tag of one long-header packet to 16383 bytes.
 */
export const LONG_HEADER_LENGTH_FIELD_SIZE = 2;
/** Largest value the 2-byte Length field can hold. */
export const MAX_LONG_HEADER_LENGTH = 0x3fff;

function checkCid(cid: Uint8Array, what: string): void {
  if (cid.length > MAX_CID_LENGTH) throw new RangeError(`${what} of ${cid.length} bytes exceeds ${MAX_CID_LENGTH}`);
}

/**
 * Writes a long header for an Initial, 0-RTT or Handshake packet (RFC 9000 §17.2, §17.2.2-§17.2.4; v2 type bits per
 * RFC 9369 §3.2) followed by the truncated packet number, and returns the offset of the 2-byte Length field.
 * The packet number starts at `lengthOffset + 2`. Reserved bits are written as 0 (RFC 9000 §17.2).
 *
 * After writing the frames (and leaving room for the AEAD tag), call {@link patchLongHeaderLength}.
 * Positional parameters keep the per-packet path free of option-object allocations.
 *
 * @param token the Initial token (RFC 9000 §17.2.2); must be empty for other types.
 * @param fixedBit false only when the peer advertised grease_quic_bit (RFC 9287 §3.1).
 */
export function writeLongHeader(
  w: ByteWriter,
  type: PacketType,
  version: number,
  dcid: Uint8Array,
  scid: Uint8Array,
  token: Uint8Array,
  packetNumber: number,
  pnLength: 1 | 2 | 3 | 4,
  fixedBit = true,
): number {
  if (type !== PacketType.INITIAL && type !== PacketType.ZERO_RTT && type !== PacketType.HANDSHAKE) {
    throw new RangeError(`writeLongHeader cannot write packet type ${type}`);
  }
  if (token.length > 0 && type !== PacketType.INITIAL) throw new RangeError('only Initial packets carry a token');
  checkCid(dcid, 'DCID');
  checkCid(scid, 'SCID');
  // Header Form (1) = 1, Fixed Bit (1), Long Packet Type (2), Reserved Bits (2) = 0, Packet Number Length (2)
  w.u8(0x80 | (fixedBit ? 0x40 : 0) | (longPacketTypeBits(version, type) << 4) | (pnLength - 1));
  w.u32(version);
  w.u8(dcid.length).bytes(dcid);
  w.u8(scid.length).bytes(scid);
  if (type === PacketType.INITIAL) w.varint(token.length).bytes(token);
  const lengthOffset = w.reserve(LONG_HEADER_LENGTH_FIELD_SIZE + pnLength);
  // A valid placeholder (2-byte varint 0) until patchLongHeaderLength runs.
  w.patchVarint(lengthOffset, 0, LONG_HEADER_LENGTH_FIELD_SIZE);
  writePacketNumber(w.buf, lengthOffset + LONG_HEADER_LENGTH_FIELD_SIZE, packetNumber, pnLength);
  return lengthOffset;
}

/**
 * Fills the 2-byte Length field reserved by {@link writeLongHeader}: the bytes from the packet number to the end of
 * the protected payload, AEAD tag included (RFC 9000 §17.2). `packetEnd` is the offset just after the tag.
 */
export function patchLongHeaderLength(buf: Uint8Array, lengthOffset: number, packetEnd: number): void {
  const length = packetEnd - (lengthOffset + LONG_HEADER_LENGTH_FIELD_SIZE);
  if (length < 1 || length > MAX_LONG_HEADER_LENGTH) {
    throw new RangeError(`long header Length ${length} does not fit the 2-byte field`);
  }
  writeVarintAt(buf, lengthOffset, length, LONG_HEADER_LENGTH_FIELD_SIZE);
}

/** Bytes {@link writeLongHeader} writes (header through packet number). */
export function longHeaderLength(
  type: PacketType,
  dcidLength: number,
  scidLength: number,
  tokenLength: number,
  pnLength: number,
): number {
  let n = 1 + 4 + 1 + dcidLength + 1 + scidLength + LONG_HEADER_LENGTH_FIELD_SIZE + pnLength;
  if (type === PacketType.INITIAL) n += varintSize(tokenLength) + tokenLength;
  return n;
}

/**
 * Writes a 1-RTT short header (RFC 9000 §17.3.1): byte 0 (fixed bit, spin bit, reserved bits 0, key phase, packet
 * number length), the DCID and the truncated packet number. Returns the offset of the packet number.
 */
export function writeShortHeader(
  w: ByteWriter,
  dcid: Uint8Array,
  packetNumber: number,
  pnLength: 1 | 2 | 3 | 4,
  keyPhase: 0 | 1,
  spinBit: boolean,
  fixedBit = true,
): number {
  checkCid(dcid, 'DCID');
  w.u8((fixedBit ? 0x40 : 0) | (spinBit ? 0x20 : 0) | (keyPhase << 2) | (pnLength - 1));
  w.bytes(dcid);
  const pnOffset = w.reserve(pnLength);
  writePacketNumber(w.buf, pnOffset, packetNumber, pnLength);
  return pnOffset;
}

/** Bytes {@link writeShortHeader} writes. */
export function shortHeaderLength(dcidLength: number, pnLength: number): number {
  return 1 + dcidLength + pnLength;
}

function varintSize(v: number): number {
  return v < 0x40 ? 1 : v < 0x4000 ? 2 : v < 0x4000_0000 ? 4 : 8;
}
