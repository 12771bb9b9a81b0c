// LAB ONLY — NOT PACKET PROTECTION. A QuicPacketProtection that leaves packets in the clear so that the congestion
// lab spends its CPU on the transport and the controllers instead of AES-GCM. Never register it outside bench/.
import {
  AEAD_TAG_LENGTH,
  type AeadLimits,
  CipherSuite,
  HEADER_PROTECTION_SAMPLE_LENGTH,
  HEADER_PROTECTION_SAMPLE_OFFSET,
  type PacketProtector,
  type PacketProtectorPair,
  type QuicPacketProtection,
  QuicVersion,
} from '@fos/core';

/** No key ever wears out: the transport must not start key updates because of this protector's counters. */
const UNLIMITED: AeadLimits = Object.freeze({
  confidentialityLimit: Number.POSITIVE_INFINITY,
  integrityLimit: Number.POSITIVE_INFINITY,
});

/**
 * LAB ONLY. Keeps the wire format of a protected packet — the same 16-byte "tag" after the payload, the same
 * sample-length rule (RFC 9001 §5.4.2) — but the payload and header are copied through unchanged and the tag is
 * all zero bytes. `decrypt` accepts a packet only if its tag is all zeros, so a stray datagram is still rejected
 * the way a failed AEAD open would be (return -1, no exception).
 */
export class NullPacketProtector implements PacketProtector {
  readonly sealOverhead = AEAD_TAG_LENGTH;
  readonly limits = UNLIMITED;
  readonly failedDecryptions = 0;
  private protectedCount = 0;

  constructor(
    readonly version: QuicVersion,
    readonly cipherSuite: CipherSuite,
    readonly generation = 0,
  ) {}

  get protectedPackets(): number {
    return this.protectedCount;
  }

  protect(
    buf: Uint8Array,
    _headerOffset: number,
    pnOffset: number,
    pnLength: number,
    _packetNumber: number,
    payloadEnd: number,
  ): number {
    const end = payloadEnd + AEAD_TAG_LENGTH;
    // RFC 9001 §5.4.2: the caller must have padded the packet so that a header-protection sample exists.
    if (pnLength < 1 || pnOffset + HEADER_PROTECTION_SAMPLE_OFFSET + HEADER_PROTECTION_SAMPLE_LENGTH > end) {
      throw new RangeError('packet too short for a header-protection sample');
    }
    if (end > buf.length) throw new RangeError('no room for the tag');
    buf.fill(0, payloadEnd, end);
    this.protectedCount++;
    return end;
  }

  unprotectHeader(buf: Uint8Array, headerOffset: number, pnOffset: number, packetEnd: number): number {
    // RFC 9001 §5.4.2: a packet too short to hold a sample is discarded.
    if (pnOffset + HEADER_PROTECTION_SAMPLE_OFFSET + HEADER_PROTECTION_SAMPLE_LENGTH > packetEnd) return -1;
    // The Packet Number Length bits are the two low bits of the first byte in both header forms (RFC 9000 §17).
    return (buf[headerOffset] & 0x03) + 1;
  }

  decrypt(
    buf: Uint8Array,
    _headerOffset: number,
    payloadOffset: number,
    packetEnd: number,
    _packetNumber: number,
  ): number {
    const end = packetEnd - AEAD_TAG_LENGTH;
    if (end < payloadOffset) return -1;
    for (let i = end; i < packetEnd; i++) if (buf[i] !== 0) return -1;
    return end;
  }

  nextGeneration(): PacketProtector {
    return new NullPacketProtector(this.version, this.cipherSuite, this.generation + 1);
  }
}

/**
 * LAB ONLY — NOT PACKET PROTECTION: every key is a {@link NullPacketProtector}. Both ends of a lab connection must
 * use it. The TLS handshake still runs for real (certificates, key schedule); only the per-packet AEAD and header
 * protection are skipped.
 */
export class NullPacketProtection implements QuicPacketProtection {
  supportsVersion(version: number): version is QuicVersion {
    return version === QuicVersion.V1 || version === QuicVersion.V2;
  }

  initial(version: QuicVersion, _dcid: Uint8Array, _role: 'client' | 'server'): PacketProtectorPair {
    const suite = CipherSuite.TLS_AES_128_GCM_SHA256;
    return { read: new NullPacketProtector(version, suite), write: new NullPacketProtector(version, suite) };
  }

  fromSecret(version: QuicVersion, cipherSuite: CipherSuite, _secret: Uint8Array): PacketProtector {
    return new NullPacketProtector(version, cipherSuite);
  }

  retryIntegrityTag(_version: QuicVersion, _odcid: Uint8Array, _retryWithoutTag: Uint8Array): Uint8Array {
    return new Uint8Array(AEAD_TAG_LENGTH);
  }

  verifyRetryIntegrity(_version: QuicVersion, _odcid: Uint8Array, retryPacket: Uint8Array): boolean {
    if (retryPacket.length < AEAD_TAG_LENGTH) return false;
    for (let i = retryPacket.length - AEAD_TAG_LENGTH; i < retryPacket.length; i++) {
      if (retryPacket[i] !== 0) return false;
    }
    return true;
  }

  aeadLimits(_cipherSuite: CipherSuite): AeadLimits {
    return UNLIMITED;
  }
}
