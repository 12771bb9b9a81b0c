import type { ByteWriter } from '@fos/core';
import { HeaderStatus, type PacketHeader } from './packet-header.js';
import { PacketType } from './packet-type.js';
import { greaseVersion, MAX_INVARIANT_CID_LENGTH, VERSION_NEGOTIATION_VERSION } from './versions.js';

/**
 * Writes a Version Negotiation packet (RFC 9000 §17.2.1, RFC 8999 §6) answering a packet whose header is
 * `dcid`/`scid`: per §17.2.1 the packet's DCID echoes the received SCID and its SCID echoes the received DCID —
 * pass the *received* IDs; this function swaps them.
 *
 * @param versions the Supported Version list. RFC 9000 §6.3: include a reserved version (see `greaseVersion`) so
 *   that clients are exercised on ignoring unknown versions.
 * @param unusedBits random bits for the 7 Unused bits of byte 0; RFC 9000 §17.2.1: the server SHOULD set 0x40
 *   (it always is here) so the packet looks like QUIC to demultiplexers (RFC 7983).
 * @param greaseRandom32 when given, a reserved version `greaseVersion(greaseRandom32)` is appended to the list.
 * @returns bytes written.
 */
export function writeVersionNegotiation(
  w: ByteWriter,
  receivedDcid: Uint8Array,
  receivedScid: Uint8Array,
  versions: readonly number[],
  unusedBits = 0,
  greaseRandom32?: number,
): number {
  if (versions.length === 0) throw new RangeError('a Version Negotiation packet lists at least one version');
  if (receivedDcid.length > MAX_INVARIANT_CID_LENGTH || receivedScid.length > MAX_INVARIANT_CID_LENGTH) {
    throw new RangeError('connection ID longer than 255 bytes');
  }
  const start = w.pos;
  w.u8(0x80 | 0x40 | (unusedBits & 0x3f));
  w.u32(VERSION_NEGOTIATION_VERSION);
  w.u8(receivedScid.length).bytes(receivedScid);
  w.u8(receivedDcid.length).bytes(receivedDcid);
  for (let i = 0; i < versions.length; i++) w.u32(versions[i] >>> 0);
  if (greaseRandom32 !== undefined) w.u32(greaseVersion(greaseRandom32)); // RFC 9000 §6.3
  return w.pos - start;
}

/** Size of the packet {@link writeVersionNegotiation} writes. */
export function versionNegotiationLength(dcidLength: number, scidLength: number, versionCount: number): number {
  return 1 + 4 + 1 + dcidLength + 1 + scidLength + 4 * versionCount;
}

/**
 * Reads the Supported Version list of a Version Negotiation packet parsed by `parsePacketHeader` into `out`
 * (reused; cleared first). Returns the number of versions. Throws RangeError when `header` is not a valid
 * Version Negotiation header.
 */
export function readSupportedVersions(header: PacketHeader, out: number[]): number {
  if (header.type !== PacketType.VERSION_NEGOTIATION || header.status !== HeaderStatus.OK) {
    throw new RangeError('not a valid Version Negotiation packet header');
  }
  const b = header.buf;
  out.length = 0;
  for (let p = header.supportedVersionsOffset; p + 4 <= header.packetEnd; p += 4) {
    out.push(((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0);
  }
  return out.length;
}

/**
 * Whether a Version Negotiation packet lists `version`. RFC 9000 §6.2: a client MUST discard a Version Negotiation
 * packet that lists the version it chose (this also defeats forged downgrades, RFC 9368 §4).
 */
export function versionNegotiationLists(header: PacketHeader, version: number): boolean {
  if (header.type !== PacketType.VERSION_NEGOTIATION || header.status !== HeaderStatus.OK) return false;
  const b = header.buf;
  const v = version >>> 0;
  for (let p = header.supportedVersionsOffset; p + 4 <= header.packetEnd; p += 4) {
    if (((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0 === v) return true;
  }
  return false;
}
