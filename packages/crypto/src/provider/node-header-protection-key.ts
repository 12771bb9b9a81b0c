// RFC 9001 §5.4.3 (AES-ECB) and §5.4.4 (ChaCha20) header-protection masks with node:crypto.
import { type Cipher, createCipheriv } from 'node:crypto';
import type { HeaderProtectionAlgorithm, HeaderProtectionKey } from '@fos/core';

/** RFC 9001 §5.4.2: every header-protection algorithm samples 16 bytes of ciphertext. */
export const HP_SAMPLE_LENGTH = 16;
/** RFC 9001 §5.4.1: the mask is 5 bytes (first byte + up to 4 packet-number bytes). */
export const HP_MASK_LENGTH = 5;

const KEY_LENGTHS: Readonly<Record<HeaderProtectionAlgorithm, number>> = {
  'aes-128-ecb': 16,
  'aes-256-ecb': 32,
  chacha20: 32,
};

/** Key length in bytes of a header-protection algorithm. */
export function headerProtectionKeyLength(algorithm: HeaderProtectionAlgorithm): number {
  const n = KEY_LENGTHS[algorithm];
  if (n === undefined) throw new RangeError(`unsupported header protection algorithm ${String(algorithm)}`);
  return n;
}

function checkSample(sample: Uint8Array, out: Uint8Array): void {
  // A short sample would leave a partial block buffered inside the long-lived ECB cipher and corrupt every
  // later mask, so it is refused up front (the protector never passes one: RFC 9001 §5.4.2).
  if (sample.length !== HP_SAMPLE_LENGTH) throw new RangeError(`header protection sample must be 16 bytes`);
  if (out.length < HP_MASK_LENGTH) throw new RangeError(`header protection mask output must hold 5 bytes`);
}

/**
 * RFC 9001 §5.4.3: `mask = AES-ECB(hp_key, sample)`. One ECB cipher object lives as long as the key; each mask is
 * one `update()` of exactly one block (no padding, nothing buffered between calls).
 */
export class NodeAesHeaderProtectionKey implements HeaderProtectionKey {
  readonly algorithm: 'aes-128-ecb' | 'aes-256-ecb';
  private readonly ecb: Cipher;

  constructor(algorithm: 'aes-128-ecb' | 'aes-256-ecb', key: Uint8Array) {
    const expected = headerProtectionKeyLength(algorithm);
    if (key.length !== expected) throw new RangeError(`${algorithm} needs a ${expected}-byte key, got ${key.length}`);
    this.algorithm = algorithm;
    this.ecb = createCipheriv(algorithm, key, null);
    this.ecb.setAutoPadding(false);
  }

  mask(sample: Uint8Array, out: Uint8Array): void {
    checkSample(sample, out);
    const block = this.ecb.update(sample);
    out[0] = block[0];
    out[1] = block[1];
    out[2] = block[2];
    out[3] = block[3];
    out[4] = block[4];
  }
}

/** RFC 8439 §2.3: the ChaCha20 constants "expand 32-byte k" (state words 0..3). */
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;

/**
 * RFC 9001 §5.4.4: `counter = sample[0..3]` (little-endian), `nonce = sample[4..15]`,
 * `mask = ChaCha20(hp_key, counter, nonce, {0,0,0,0,0})` — the first 5 bytes of one ChaCha20 block (RFC 8439 §2.3),
 * since encrypting zeros yields the key stream.
 *
 * The block function is computed here in JavaScript (32-bit adds, xors and fixed rotations: no secret-dependent
 * branches or lookups) because node:crypto can only do ChaCha20 through a new cipher object per call, which costs
 * several times more than the 20 rounds themselves (see bench/aead.bench.ts). Node's 'chacha20' IV layout
 * (counter ‖ nonce) is the same as the sample's, which the tests use to cross-check this function.
 */
export class ChaCha20HeaderProtectionKey implements HeaderProtectionKey {
  readonly algorithm = 'chacha20' as const;
  /** Key words (state words 4..11), little-endian. */
  private readonly k: Int32Array;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`chacha20 needs a 32-byte key, got ${key.length}`);
    this.k = new Int32Array(8);
    for (let i = 0; i < 8; i++) this.k[i] = readLe32(key, 4 * i);
  }

  mask(sample: Uint8Array, out: Uint8Array): void {
    checkSample(sample, out);
    const k = this.k;
    // RFC 8439 §2.3 state: constants, key, block counter (word 12), nonce (words 13..15)
    let x0 = SIGMA0;
    let x1 = SIGMA1;
    let x2 = SIGMA2;
    let x3 = SIGMA3;
    let x4 = k[0];
    let x5 = k[1];
    let x6 = k[2];
    let x7 = k[3];
    let x8 = k[4];
    let x9 = k[5];
    let x10 = k[6];
    let x11 = k[7];
    let x12 = readLe32(sample, 0);
    let x13 = readLe32(sample, 4);
    let x14 = readLe32(sample, 8);
    let x15 = readLe32(sample, 12);
    // biome-ignore format: one half quarter-round per line keeps the RFC 8439 §2.3 structure visible
    // 20 rounds = 10 × (column round + diagonal round); each pair of lines is one QUARTERROUND (RFC 8439 §2.1, §2.3):
    // a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; a += b; d ^= a; d <<<= 8; c += d; b ^= c; b <<<= 7.
    for (let i = 0; i < 10; i++) {
      // QUARTERROUND(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15)
      x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 16); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 12);
      x0 = (x0 + x4) | 0; x12 = rotl(x12 ^ x0, 8); x8 = (x8 + x12) | 0; x4 = rotl(x4 ^ x8, 7);
      x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 16); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 12);
      x1 = (x1 + x5) | 0; x13 = rotl(x13 ^ x1, 8); x9 = (x9 + x13) | 0; x5 = rotl(x5 ^ x9, 7);
      x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 16); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 12);
      x2 = (x2 + x6) | 0; x14 = rotl(x14 ^ x2, 8); x10 = (x10 + x14) | 0; x6 = rotl(x6 ^ x10, 7);
      x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 16); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 12);
      x3 = (x3 + x7) | 0; x15 = rotl(x15 ^ x3, 8); x11 = (x11 + x15) | 0; x7 = rotl(x7 ^ x11, 7);
      // QUARTERROUND(0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)
      x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 16); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 12);
      x0 = (x0 + x5) | 0; x15 = rotl(x15 ^ x0, 8); x10 = (x10 + x15) | 0; x5 = rotl(x5 ^ x10, 7);
      x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 16); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 12);
      x1 = (x1 + x6) | 0; x12 = rotl(x12 ^ x1, 8); x11 = (x11 + x12) | 0; x6 = rotl(x6 ^ x11, 7);
      x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 16); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 12);
      x2 = (x2 + x7) | 0; x13 = rotl(x13 ^ x2, 8); x8 = (x8 + x13) | 0; x7 = rotl(x7 ^ x8, 7);
      x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 16); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 12);
      x3 = (x3 + x4) | 0; x14 = rotl(x14 ^ x3, 8); x9 = (x9 + x14) | 0; x4 = rotl(x4 ^ x9, 7);
    }
    // Add the input state and serialise little-endian; the mask needs only bytes 0..4 (words 0 and 1).
    const w0 = (x0 + SIGMA0) | 0;
    const w1 = (x1 + SIGMA1) | 0;
    out[0] = w0 & 0xff;
    out[1] = (w0 >>> 8) & 0xff;
    out[2] = (w0 >>> 16) & 0xff;
    out[3] = w0 >>> 24;
    out[4] = w1 & 0xff;
  }
}

function readLe32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}
