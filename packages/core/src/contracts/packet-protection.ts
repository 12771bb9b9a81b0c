import { token } from '../di/token.js';
import type { CipherSuite } from './crypto-provider.js';

/** QUIC versions whose packet protection is defined: v1 (RFC 9000/9001) and v2 (RFC 9369). */
export const QuicVersion = {
  V1: 0x0000_0001,
  /** RFC 9369 §3.1 */
  V2: 0x6b33_43cf,
} as const;
export type QuicVersion = (typeof QuicVersion)[keyof typeof QuicVersion];

/** RFC 9001 §5.3: every AEAD QUIC uses appends a 16-byte tag. */
export const AEAD_TAG_LENGTH = 16;
/** RFC 9001 §5.4.2: the header-protection sample starts 4 bytes after the start of the Packet Number field … */
export const HEADER_PROTECTION_SAMPLE_OFFSET = 4;
/** … and is 16 bytes long. A packet must reach `pnOffset + 4 + 16` bytes or it is discarded. */
export const HEADER_PROTECTION_SAMPLE_LENGTH = 16;

/**
 * RFC 9001 §6.6 usage limits of one AEAD. The transport enforces them: it initiates a key update before
 * `confidentialityLimit` packets were protected with one key ({@link PacketProtector.protectedPackets}), and closes
 * the connection with AEAD_LIMIT_EXCEEDED when the packets that failed authentication — summed over every key of
 * the connection ({@link PacketProtector.failedDecryptions}) — exceed `integrityLimit`.
 */
export interface AeadLimits {
  /** Packets that may be protected with one key. `Infinity` when the limit exceeds 2^62 (ChaCha20-Poly1305). */
  readonly confidentialityLimit: number;
  /** Packets failing authentication tolerated within one connection, across all keys. */
  readonly integrityLimit: number;
}

/**
 * Packet protection for one direction of one encryption level and key phase (RFC 9001 §5): the AEAD key and IV
 * derived from a traffic secret, plus the header-protection key. Every method works in place on a
 * caller-supplied buffer, allocates no key objects and never throws on bad input from the network.
 *
 * Offsets are absolute indexes into `buf`. The header spans `[headerOffset, pnOffset + pnLength)`; the first byte
 * tells the header form (bit 0x80: long header, 4 bits protected; else short header, 5 bits protected).
 */
export interface PacketProtector {
  readonly version: QuicVersion;
  readonly cipherSuite: CipherSuite;
  /** Bytes `protect` adds after the payload (the AEAD tag, {@link AEAD_TAG_LENGTH}). */
  readonly sealOverhead: number;
  /** 0 for keys made from a TLS or Initial secret; n after n key updates ({@link nextGeneration}). */
  readonly generation: number;
  /** The RFC 9001 §6.6 limits of this protector's AEAD. */
  readonly limits: AeadLimits;
  /** Packets protected with this key so far (compare with `limits.confidentialityLimit`). */
  readonly protectedPackets: number;
  /** Packets that failed authentication with this key so far (sum over all keys for `limits.integrityLimit`). */
  readonly failedDecryptions: number;

  /**
   * Protects one packet in place (RFC 9001 §5.3, then §5.4.1): the AEAD seals `[pnOffset + pnLength, payloadEnd)`
   * with the header `[headerOffset, pnOffset + pnLength)` as associated data and nonce = IV XOR packet number,
   * writes the tag at `payloadEnd`, then masks the low bits of the first byte and the packet-number bytes with a
   * sample taken at `pnOffset + 4`.
   *
   * The header must already be complete and unprotected: the first byte's packet-number-length bits must equal
   * `pnLength - 1`, and a long header's Length field must count the tag. `buf` needs `sealOverhead` free bytes
   * after `payloadEnd`, and `pnLength + payload` must be at least 4 bytes so that the sample exists (RFC 9001
   * §5.4.2: pad the payload). Violations are caller bugs and throw RangeError.
   *
   * @returns the end of the protected packet (`payloadEnd + sealOverhead`).
   */
  protect(
    buf: Uint8Array,
    headerOffset: number,
    pnOffset: number,
    pnLength: number,
    packetNumber: number,
    payloadEnd: number,
  ): number;

  /**
   * Removes header protection in place (RFC 9001 §5.4.1): unmasks the first byte, reads the packet-number length
   * from it and unmasks that many packet-number bytes at `pnOffset`. The caller then reads the truncated packet
   * number and recovers the full one (RFC 9000 §A.3) before calling {@link decrypt}.
   *
   * @returns the packet-number length (1..4), or -1 when the packet is too short to hold a sample (RFC 9001
   * §5.4.2: discard it); then `buf` is untouched.
   */
  unprotectHeader(buf: Uint8Array, headerOffset: number, pnOffset: number, packetEnd: number): number;

  /**
   * Opens the AEAD in place (RFC 9001 §5.3): `[payloadOffset, packetEnd)` is ciphertext ‖ tag, the header
   * `[headerOffset, payloadOffset)` (already unprotected) is the associated data, `packetNumber` the full packet
   * number. On success the plaintext is written at `payloadOffset`.
   *
   * @returns the end of the plaintext, or -1 when authentication fails (the payload bytes are then untouched, so
   * the caller may try other keys). Failures are routine and cheap: no exception.
   */
  decrypt(
    buf: Uint8Array,
    headerOffset: number,
    payloadOffset: number,
    packetEnd: number,
    packetNumber: number,
  ): number;

  /**
   * The protector of the next key phase (RFC 9001 §6.1): `secret_<n+1> = HKDF-Expand-Label(secret_<n>, "quic ku"
   * (v1) / "quicv2 ku" (v2), "", Hash.length)`, a new AEAD key and IV from it, and the SAME header-protection key.
   * Meaningful only for 1-RTT keys. Fresh counters.
   */
  nextGeneration(): PacketProtector;
}

/** The two protectors of one encryption level. */
export interface PacketProtectorPair {
  /** Removes protection from packets the peer sent. */
  readonly read: PacketProtector;
  /** Protects packets this endpoint sends. */
  readonly write: PacketProtector;
}

/**
 * Makes {@link PacketProtector}s for QUIC v1 and v2 and computes Retry integrity tags. The transport uses this
 * interface without depending on a crypto implementation; `@fos/crypto` registers one built on the
 * `CryptoProvider`.
 */
export interface QuicPacketProtection {
  /** Whether `version` is a QUIC version this implementation can protect packets for. */
  supportsVersion(version: number): version is QuicVersion;

  /**
   * Initial keys (RFC 9001 §5.2; RFC 9369 §3.3.1 salt and §3.3.2 labels for v2): derived from the Destination
   * Connection ID of the client's first Initial packet (or the server's Retry SCID). AEAD_AES_128_GCM.
   * The client writes with the "client in" secret and reads with "server in"; the server the other way round.
   */
  initial(
    version: QuicVersion,
    clientDestinationConnectionId: Uint8Array,
    role: 'client' | 'server',
  ): PacketProtectorPair;

  /**
   * A protector for 0-RTT, Handshake or 1-RTT keys from a TLS traffic secret (RFC 9001 §5.1). `secret` must be
   * Hash.length bytes of the suite's hash.
   */
  fromSecret(version: QuicVersion, cipherSuite: CipherSuite, secret: Uint8Array): PacketProtector;

  /**
   * The 16-byte Retry Integrity Tag (RFC 9001 §5.8; RFC 9369 §3.3.3 for v2) of a Retry packet given without its
   * tag, for the Destination Connection ID of the client Initial it answers.
   */
  retryIntegrityTag(
    version: QuicVersion,
    originalDestinationConnectionId: Uint8Array,
    retryWithoutTag: Uint8Array,
  ): Uint8Array;

  /** Whether the last 16 bytes of `retryPacket` are its valid Retry Integrity Tag. Never throws on bad input. */
  verifyRetryIntegrity(
    version: QuicVersion,
    originalDestinationConnectionId: Uint8Array,
    retryPacket: Uint8Array,
  ): boolean;

  /** RFC 9001 §6.6 limits for a cipher suite's AEAD. */
  aeadLimits(cipherSuite: CipherSuite): AeadLimits;
}
export const QuicPacketProtection = token<QuicPacketProtection>('fos.QuicPacketProtection');
