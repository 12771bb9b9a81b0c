// RFC 9001 §5.3 (AEAD), §5.4 (header protection) and §6 (key update) for one direction of one key phase.
import {
  AEAD_TAG_LENGTH,
  type AeadKey,
  type AeadLimits,
  type CipherSuite,
  type CryptoProvider,
  HEADER_PROTECTION_SAMPLE_LENGTH,
  HEADER_PROTECTION_SAMPLE_OFFSET,
  type HeaderProtectionKey,
  type PacketProtector,
  type QuicVersion,
} from '@fos/core';
import { hkdfExpandLabel } from '../hkdf-label.js';
import type { CipherSuiteParams } from './cipher-suite-params.js';
import type { QuicVersionParams } from './quic-version-params.js';

/** RFC 9001 §5.1: "quic iv" has the length of the AEAD nonce (12 bytes for every suite QUIC uses). */
const IV_LENGTH = 12;
/** RFC 9000 §12.3: packet numbers are 0..2^62-1 (2^62 - 1 is not a double, so compare with < 2^62). */
const PACKET_NUMBER_LIMIT = 2 ** 62;
const TWO_POW_32 = 0x1_0000_0000;
const EMPTY = new Uint8Array(0);

function isPacketNumber(pn: number): boolean {
  return Number.isInteger(pn) && pn >= 0 && pn < PACKET_NUMBER_LIMIT;
}

/** The AEAD key and IV of one key phase (RFC 9001 §5.1). */
interface PacketKeys {
  readonly aead: AeadKey;
  readonly iv: Uint8Array;
}

function deriveKeys(
  provider: CryptoProvider,
  suite: CipherSuiteParams,
  labels: QuicVersionParams,
  secret: Uint8Array,
): PacketKeys {
  // RFC 9001 §5.1: key = HKDF-Expand-Label(secret, "quic key", "", key length), iv = …("quic iv", "", 12).
  const key = hkdfExpandLabel(provider, suite.hash, secret, labels.keyLabel, EMPTY, suite.keyLength);
  const iv = hkdfExpandLabel(provider, suite.hash, secret, labels.ivLabel, EMPTY, IV_LENGTH);
  return { aead: provider.createAeadKey(suite.aead, key), iv };
}

/**
 * A {@link PacketProtector} on top of any `CryptoProvider`. Keys are derived once at construction; a packet costs
 * one AEAD call and one header-protection mask, with a reused nonce and mask scratch buffer and the sample and
 * associated data taken as views (subarray) of the caller's buffer.
 */
export class AeadPacketProtector implements PacketProtector {
  readonly version: QuicVersion;
  readonly cipherSuite: CipherSuite;
  readonly sealOverhead = AEAD_TAG_LENGTH;
  readonly generation: number;
  readonly limits: AeadLimits;

  private readonly provider: CryptoProvider;
  private readonly suite: CipherSuiteParams;
  private readonly labels: QuicVersionParams;
  private readonly secret: Uint8Array;
  private readonly aead: AeadKey;
  private readonly iv: Uint8Array;
  private readonly hp: HeaderProtectionKey;
  private readonly nonce = new Uint8Array(IV_LENGTH);
  private readonly mask = new Uint8Array(5);
  private protectedCount = 0;
  private failedCount = 0;

  /**
   * @param hp the header-protection key; derived from `secret` with the "quic hp" label when omitted. Key updates
   *   pass the previous generation's key on (RFC 9001 §6.1: it does not change).
   */
  constructor(
    provider: CryptoProvider,
    suite: CipherSuiteParams,
    labels: QuicVersionParams,
    secret: Uint8Array,
    hp?: HeaderProtectionKey,
    generation = 0,
  ) {
    if (secret.length !== suite.hashLength) {
      throw new RangeError(`a ${suite.hash} traffic secret is ${suite.hashLength} bytes, got ${secret.length}`);
    }
    this.provider = provider;
    this.suite = suite;
    this.labels = labels;
    this.version = labels.version;
    this.cipherSuite = suite.suite;
    this.limits = suite.limits;
    this.generation = generation;
    this.secret = Uint8Array.from(secret);
    const keys = deriveKeys(provider, suite, labels, secret);
    this.aead = keys.aead;
    this.iv = keys.iv;
    // RFC 9001 §5.1: hp = HKDF-Expand-Label(secret, "quic hp", "", key length).
    this.hp =
      hp ??
      provider.createHeaderProtectionKey(
        suite.hp,
        hkdfExpandLabel(provider, suite.hash, secret, labels.hpLabel, EMPTY, suite.keyLength),
      );
  }

  get protectedPackets(): number {
    return this.protectedCount;
  }

  get failedDecryptions(): number {
    return this.failedCount;
  }

  protect(
    buf: Uint8Array,
    headerOffset: number,
    pnOffset: number,
    pnLength: number,
    packetNumber: number,
    payloadEnd: number,
  ): number {
    const payloadOffset = pnOffset + pnLength;
    const packetEnd = payloadEnd + AEAD_TAG_LENGTH;
    if (pnLength < 1 || pnLength > 4 || (buf[headerOffset] & 0x03) + 1 !== pnLength) {
      throw new RangeError(`packet number length ${pnLength} does not match the first byte`);
    }
    if (headerOffset < 0 || pnOffset <= headerOffset || payloadEnd < payloadOffset || packetEnd > buf.length) {
      throw new RangeError(
        `bad packet layout ${headerOffset}/${pnOffset}/${payloadEnd} in a ${buf.length}-byte buffer`,
      );
    }
    // RFC 9001 §5.4.2: the packet number and payload must be at least 4 bytes so that the sample exists.
    if (payloadEnd - pnOffset < HEADER_PROTECTION_SAMPLE_OFFSET) {
      throw new RangeError('packet too short for a header protection sample: pad the payload (RFC 9001 §5.4.2)');
    }
    this.setNonce(packetNumber);
    // RFC 9001 §5.3: AAD = the header up to and including the unprotected packet number; the ciphertext replaces P.
    this.aead.seal(
      this.nonce,
      buf.subarray(headerOffset, payloadOffset),
      buf.subarray(payloadOffset, payloadEnd),
      buf,
      payloadOffset,
    );
    this.protectedCount++;
    this.applyMask(buf, headerOffset, pnOffset, pnLength);
    return packetEnd;
  }

  unprotectHeader(buf: Uint8Array, headerOffset: number, pnOffset: number, packetEnd: number): number {
    // RFC 9001 §5.4.2: discard packets not long enough to contain a complete sample.
    if (
      headerOffset < 0 ||
      pnOffset <= headerOffset ||
      packetEnd > buf.length ||
      pnOffset + HEADER_PROTECTION_SAMPLE_OFFSET + HEADER_PROTECTION_SAMPLE_LENGTH > packetEnd
    ) {
      return -1;
    }
    const sampleOffset = pnOffset + HEADER_PROTECTION_SAMPLE_OFFSET;
    const mask = this.mask;
    this.hp.mask(buf.subarray(sampleOffset, sampleOffset + HEADER_PROTECTION_SAMPLE_LENGTH), mask);
    // RFC 9001 §5.4.1: unmask the first byte first; the packet number length is then in its two low bits.
    const first = buf[headerOffset] ^ (mask[0] & ((buf[headerOffset] & 0x80) !== 0 ? 0x0f : 0x1f));
    buf[headerOffset] = first;
    const pnLength = (first & 0x03) + 1;
    for (let i = 0; i < pnLength; i++) buf[pnOffset + i] ^= mask[1 + i];
    return pnLength;
  }

  decrypt(
    buf: Uint8Array,
    headerOffset: number,
    payloadOffset: number,
    packetEnd: number,
    packetNumber: number,
  ): number {
    if (
      headerOffset < 0 ||
      payloadOffset <= headerOffset ||
      packetEnd > buf.length ||
      packetEnd - payloadOffset < AEAD_TAG_LENGTH ||
      !isPacketNumber(packetNumber)
    ) {
      this.failedCount++;
      return -1;
    }
    this.setNonce(packetNumber);
    const n = this.aead.open(
      this.nonce,
      buf.subarray(headerOffset, payloadOffset),
      buf.subarray(payloadOffset, packetEnd),
      buf,
      payloadOffset,
    );
    if (n < 0) {
      this.failedCount++;
      return -1;
    }
    return payloadOffset + n;
  }

  nextGeneration(): PacketProtector {
    // RFC 9001 §6.1: secret_<n+1> = HKDF-Expand-Label(secret_<n>, "quic ku", "", Hash.length); RFC 9369 §3.3.2
    // uses "quicv2 ku". The header protection key is not updated.
    const next = hkdfExpandLabel(
      this.provider,
      this.suite.hash,
      this.secret,
      this.labels.kuLabel,
      EMPTY,
      this.suite.hashLength,
    );
    return new AeadPacketProtector(this.provider, this.suite, this.labels, next, this.hp, this.generation + 1);
  }

  /** RFC 9001 §5.3: nonce = IV XOR the 62-bit packet number left-padded to the IV length. */
  private setNonce(packetNumber: number): void {
    if (!isPacketNumber(packetNumber)) {
      throw new RangeError(`packet number ${packetNumber} is outside 0..2^62-1`);
    }
    const n = this.nonce;
    const iv = this.iv;
    const lo = packetNumber % TWO_POW_32;
    const hi = (packetNumber - lo) / TWO_POW_32;
    for (let i = 0; i < 4; i++) n[i] = iv[i];
    n[4] = iv[4] ^ (hi >>> 24);
    n[5] = iv[5] ^ ((hi >>> 16) & 0xff);
    n[6] = iv[6] ^ ((hi >>> 8) & 0xff);
    n[7] = iv[7] ^ (hi & 0xff);
    n[8] = iv[8] ^ (lo >>> 24);
    n[9] = iv[9] ^ ((lo >>> 16) & 0xff);
    n[10] = iv[10] ^ ((lo >>> 8) & 0xff);
    n[11] = iv[11] ^ (lo & 0xff);
  }

  /** RFC 9001 §5.4.1: mask the low 4 (long header) or 5 (short header) bits of byte 0 and the packet number. */
  private applyMask(buf: Uint8Array, headerOffset: number, pnOffset: number, pnLength: number): void {
    const sampleOffset = pnOffset + HEADER_PROTECTION_SAMPLE_OFFSET;
    const mask = this.mask;
    this.hp.mask(buf.subarray(sampleOffset, sampleOffset + HEADER_PROTECTION_SAMPLE_LENGTH), mask);
    buf[headerOffset] ^= mask[0] & ((buf[headerOffset] & 0x80) !== 0 ? 0x0f : 0x1f);
    for (let i = 0; i < pnLength; i++) buf[pnOffset + i] ^= mask[1 + i];
  }
}
