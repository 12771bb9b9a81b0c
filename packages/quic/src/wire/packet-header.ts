import { readVarintAt } from '@fos/core';
import { longPacketTypeFromBits, PacketType } from './packet-type.js';
import { isSupportedVersion, MAX_CID_LENGTH, VERSION_NEGOTIATION_VERSION } from './versions.js';

/**
 * Outcome of {@link parsePacketHeader}. Anything but `OK` means "drop this packet" (RFC 9000 §5.2, §12.2), except
 * `UNSUPPORTED_VERSION`, where the version-invariant fields (version, DCID, SCID) are filled so that a server can
 * answer with a Version Negotiation packet (RFC 9000 §6.1). Header parsing never throws on bad input: garbage
 * datagrams are normal traffic and must stay cheap.
 */
export const HeaderStatus = {
  OK: 0,
  /** The datagram ends before a field the header announces (including a Length past the datagram end). */
  TRUNCATED: 1,
  /** RFC 9000 §17.2 / §17.3.1: a cleared fixed bit MUST be discarded (unless grease_quic_bit, RFC 9287 §3). */
  FIXED_BIT_CLEAR: 2,
  /** RFC 9000 §17.2: a v1 (or v2) long header with a connection ID longer than 20 bytes MUST be dropped. */
  CID_TOO_LONG: 3,
  /** A long header with a version this stack does not implement; invariant fields are valid. */
  UNSUPPORTED_VERSION: 4,
  /** A Version Negotiation packet whose version list is empty or not a whole number of 32-bit versions. */
  MALFORMED_VERSION_NEGOTIATION: 5,
  /** RFC 9000 §17.2.5.2: a client MUST discard a Retry packet with a zero-length Retry Token. */
  EMPTY_RETRY_TOKEN: 6,
} as const;
export type HeaderStatus = (typeof HeaderStatus)[keyof typeof HeaderStatus];

const EMPTY = new Uint8Array(0);

/**
 * RFC 9000 §14.1: a client pads datagrams carrying Initial packets to at least 1200 bytes, and a server MUST
 * discard an Initial packet carried in a smaller UDP datagram. (Also the size a datagram with an unknown version
 * must reach before a server answers it with Version Negotiation, §5.2.2 / §6.)
 */
export const MIN_INITIAL_DATAGRAM_SIZE = 1200;

/** Length of the Retry Integrity Tag (RFC 9001 §5.8). */
export const RETRY_INTEGRITY_TAG_LENGTH = 16;

/**
 * The unprotected parts of one QUIC packet header, as offsets into the datagram buffer. One instance is meant to be
 * reused for every packet (the parser fills it; nothing is allocated per packet). CIDs and the token are exposed as
 * offsets plus lazily created views (`dcid`, `scid`, `token` getters: a subarray, never a copy).
 *
 * Header protection (RFC 9001 §5.4) still covers the low bits of `firstByte` (reserved bits, key phase, packet
 * number length) and the packet number: the transport removes it using `pnOffset` (sample at `pnOffset + 4`) and
 * `packetEnd`, then reads the bits with {@link packetNumberLengthBits}, {@link keyPhaseBit} and
 * {@link reservedBits}.
 */
export class PacketHeader {
  /** Result of the last parse. */
  status: HeaderStatus = HeaderStatus.OK;
  /** The datagram the offsets refer to. */
  buf: Uint8Array = EMPTY;
  /** Header form bit (RFC 9000 §17.2 / §17.3). */
  isLong = false;
  type: PacketType = PacketType.ONE_RTT;
  /** Long headers: the Version field. Short headers: 0 (the version is the connection's). */
  version = 0;
  /** Byte 0 as received (still header-protected for Initial/0-RTT/Handshake/1-RTT). */
  firstByte = 0;
  /** Offset of byte 0 of this packet in `buf`. */
  packetStart = 0;
  dcidOffset = 0;
  dcidLength = 0;
  scidOffset = 0;
  scidLength = 0;
  /** Initial: the Token field; Retry: the Retry Token. Empty otherwise. */
  tokenOffset = 0;
  tokenLength = 0;
  /** Offset of the (protected) Packet Number field; -1 for Retry and Version Negotiation packets. */
  pnOffset = -1;
  /** Long headers: the Length field (packet number + payload + AEAD tag). Short headers: `packetEnd - pnOffset`. */
  payloadLength = 0;
  /** Offset just past this packet: the next coalesced packet starts here (RFC 9000 §12.2). */
  packetEnd = 0;

  /** Destination Connection ID (a view). */
  get dcid(): Uint8Array {
    return this.buf.subarray(this.dcidOffset, this.dcidOffset + this.dcidLength);
  }

  /** Source Connection ID (a view; empty for short headers). */
  get scid(): Uint8Array {
    return this.buf.subarray(this.scidOffset, this.scidOffset + this.scidLength);
  }

  /** Initial Token or Retry Token (a view). */
  get token(): Uint8Array {
    return this.buf.subarray(this.tokenOffset, this.tokenOffset + this.tokenLength);
  }

  /** The fixed ("QUIC") bit 0x40 of byte 0 (RFC 9000 §17.2, RFC 9287). */
  get fixedBit(): boolean {
    return (this.firstByte & 0x40) !== 0;
  }

  /** Short headers: the latency spin bit 0x20 (RFC 9000 §17.4), not header-protected. */
  get spinBit(): boolean {
    return !this.isLong && (this.firstByte & 0x20) !== 0;
  }

  /** Retry: offset of the 16-byte Retry Integrity Tag (RFC 9000 §17.2.5, RFC 9001 §5.8). */
  get retryIntegrityTagOffset(): number {
    return this.packetEnd - RETRY_INTEGRITY_TAG_LENGTH;
  }

  /** Version Negotiation: offset of the first Supported Version (RFC 9000 §17.2.1). */
  get supportedVersionsOffset(): number {
    return this.scidOffset + this.scidLength;
  }

  /** Whether the DCID equals `length` bytes of `other` at `offset` (RFC 9000 §12.2 coalescing check). */
  dcidEquals(other: Uint8Array, offset: number, length: number): boolean {
    if (length !== this.dcidLength) return false;
    const b = this.buf;
    const o = this.dcidOffset;
    for (let i = 0; i < length; i++) if (b[o + i] !== other[offset + i]) return false;
    return true;
  }
}

function finish(out: PacketHeader, status: HeaderStatus): HeaderStatus {
  out.status = status;
  return status;
}

/** Options of {@link parsePacketHeader}. */
export interface ParseHeaderOptions {
  /**
   * RFC 9287 §3: an endpoint that advertised grease_quic_bit MUST accept packets whose fixed bit is 0.
   * Default false: such packets are dropped (RFC 9000 §17.2, §17.3.1).
   */
  readonly acceptClearedFixedBit?: boolean;
}

/**
 * Parses the unprotected part of the packet header at `offset` (bounded by `end`) into `out` and returns its
 * status (also stored in `out.status`). `shortDcidLength` is the length of the connection IDs this endpoint issues:
 * short headers carry no length (RFC 9000 §5.1, §17.3.1).
 *
 * On `OK`, `out.packetEnd` is where the next coalesced packet starts; Retry, Version Negotiation and short-header
 * packets run to `end` (RFC 9000 §12.2).
 */
export function parsePacketHeader(
  buf: Uint8Array,
  offset: number,
  end: number,
  shortDcidLength: number,
  out: PacketHeader,
  options?: ParseHeaderOptions,
): HeaderStatus {
  out.buf = buf;
  out.packetStart = offset;
  out.pnOffset = -1;
  out.tokenOffset = offset;
  out.tokenLength = 0;
  out.scidOffset = offset;
  out.scidLength = 0;
  out.dcidOffset = offset;
  out.dcidLength = 0;
  out.payloadLength = 0;
  out.packetEnd = end;
  out.version = 0;
  if (offset >= end) return finish(out, HeaderStatus.TRUNCATED);
  const b0 = buf[offset];
  out.firstByte = b0;
  const acceptCleared = options?.acceptClearedFixedBit === true;

  if ((b0 & 0x80) === 0) {
    // RFC 9000 §17.3.1: 1-RTT packet: byte 0, DCID (length known to the endpoint), packet number, payload.
    out.isLong = false;
    out.type = PacketType.ONE_RTT;
    if ((b0 & 0x40) === 0 && !acceptCleared) return finish(out, HeaderStatus.FIXED_BIT_CLEAR);
    const pnOffset = offset + 1 + shortDcidLength;
    if (pnOffset + 1 > end) return finish(out, HeaderStatus.TRUNCATED);
    out.dcidOffset = offset + 1;
    out.dcidLength = shortDcidLength;
    out.scidOffset = pnOffset;
    out.pnOffset = pnOffset;
    out.payloadLength = end - pnOffset;
    return finish(out, HeaderStatus.OK);
  }

  // RFC 8999 §5.1: version-independent long header: byte 0, Version (32), DCID Len (8), DCID, SCID Len (8), SCID.
  out.isLong = true;
  let p = offset + 1;
  if (p + 5 > end) return finish(out, HeaderStatus.TRUNCATED);
  const version = ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
  out.version = version;
  const dcidLength = buf[p + 4];
  p += 5;
  if (p + dcidLength + 1 > end) return finish(out, HeaderStatus.TRUNCATED);
  out.dcidOffset = p;
  out.dcidLength = dcidLength;
  p += dcidLength;
  const scidLength = buf[p++];
  if (p + scidLength > end) return finish(out, HeaderStatus.TRUNCATED);
  out.scidOffset = p;
  out.scidLength = scidLength;
  p += scidLength;

  if (version === VERSION_NEGOTIATION_VERSION) {
    // RFC 9000 §17.2.1: the rest is a list of 32-bit versions; the packet fills the datagram. The Unused bits
    // (fixed bit included) are ignored.
    out.type = PacketType.VERSION_NEGOTIATION;
    const rest = end - p;
    if (rest === 0 || rest % 4 !== 0) return finish(out, HeaderStatus.MALFORMED_VERSION_NEGOTIATION);
    return finish(out, HeaderStatus.OK);
  }
  if (!isSupportedVersion(version)) {
    // RFC 8999 §6 / RFC 9000 §5.2.2: only the invariant fields can be interpreted. The type is meaningless here.
    out.type = PacketType.INITIAL;
    return finish(out, HeaderStatus.UNSUPPORTED_VERSION);
  }
  // RFC 9000 §17.2: in v1 (and v2, RFC 9369 §3) connection IDs longer than 20 bytes MUST be dropped.
  if (dcidLength > MAX_CID_LENGTH || scidLength > MAX_CID_LENGTH) return finish(out, HeaderStatus.CID_TOO_LONG);
  if ((b0 & 0x40) === 0 && !acceptCleared) return finish(out, HeaderStatus.FIXED_BIT_CLEAR);
  const type = longPacketTypeFromBits(version, b0 >> 4);
  out.type = type;

  if (type === PacketType.RETRY) {
    // RFC 9000 §17.2.5: Retry Token (..) then a 128-bit Retry Integrity Tag; no Length, fills the datagram.
    const tokenLength = end - p - RETRY_INTEGRITY_TAG_LENGTH;
    if (tokenLength < 0) return finish(out, HeaderStatus.TRUNCATED);
    out.tokenOffset = p;
    out.tokenLength = tokenLength;
    if (tokenLength === 0) return finish(out, HeaderStatus.EMPTY_RETRY_TOKEN);
    return finish(out, HeaderStatus.OK);
  }

  if (type === PacketType.INITIAL) {
    // RFC 9000 §17.2.2: Token Length (i), Token (..)
    if (p >= end) return finish(out, HeaderStatus.TRUNCATED);
    const n = 1 << (buf[p] >> 6);
    if (p + n > end) return finish(out, HeaderStatus.TRUNCATED);
    const tokenLength = readVarintAt(buf, p, end);
    p += n;
    if (tokenLength > end - p) return finish(out, HeaderStatus.TRUNCATED);
    out.tokenOffset = p;
    out.tokenLength = tokenLength;
    p += tokenLength;
  }

  // RFC 9000 §17.2: Length (i) covers the Packet Number and the Payload.
  if (p >= end) return finish(out, HeaderStatus.TRUNCATED);
  const n = 1 << (buf[p] >> 6);
  if (p + n > end) return finish(out, HeaderStatus.TRUNCATED);
  const length = readVarintAt(buf, p, end);
  p += n;
  if (length > end - p) return finish(out, HeaderStatus.TRUNCATED);
  out.pnOffset = p;
  out.payloadLength = length;
  out.packetEnd = p + length;
  return finish(out, HeaderStatus.OK);
}

/** Packet number length in bytes (1-4) from an unprotected byte 0 (RFC 9000 §17.2, §17.3.1). */
export function packetNumberLengthBits(firstByte: number): 1 | 2 | 3 | 4 {
  return ((firstByte & 0x03) + 1) as 1 | 2 | 3 | 4;
}

/** Key Phase bit (0 or 1) from an unprotected short-header byte 0 (RFC 9000 §17.3.1, RFC 9001 §6). */
export function keyPhaseBit(firstByte: number): 0 | 1 {
  return ((firstByte >> 2) & 1) as 0 | 1;
}

/**
 * Reserved bits of an unprotected byte 0: 0x0c for long headers, 0x18 for short ones. RFC 9000 §17.2 / §17.3.1:
 * non-zero after removing both packet and header protection is a PROTOCOL_VIOLATION (checked after decryption,
 * RFC 9001 §9.5).
 */
export function reservedBits(firstByte: number, isLong: boolean): number {
  return firstByte & (isLong ? 0x0c : 0x18);
}
